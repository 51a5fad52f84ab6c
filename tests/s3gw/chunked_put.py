#!/usr/bin/env python3
"""PUTs with STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies (aws-chunked, each
chunk signed), signed here independently of the gateway's code: a good
upload is stored, a tampered chunk or a wrong chain is refused with
SignatureDoesNotMatch and stores nothing.
Usage: chunked_put.py ENDPOINT BUCKET ACCESS SECRET"""
import datetime
import hashlib
import hmac
import http.client
import sys
import urllib.parse

endpoint, bucket, ak, sk = sys.argv[1:5]
u = urllib.parse.urlparse(endpoint)
region = "us-east-1"


def h(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def put(key, data, chunk=65536, tamper=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz[:8]
    scope = f"{date}/{region}/s3/aws4_request"
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]

    def framed_len():
        n = 0
        for c in chunks:
            n += len("%x" % len(c)) + len(";chunk-signature=") + 64 + 2 + len(c) + 2
        return n

    path = "/" + bucket + "/" + urllib.parse.quote(key, safe="/~")
    headers = {
        "host": u.netloc,
        "x-amz-date": amz,
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)),
        "content-length": str(framed_len()),
    }
    names = sorted(headers)
    canon = "PUT\n" + path + "\n\n" + "".join(f"{n}:{headers[n]}\n" for n in names) + "\n" + ";".join(names) + \
        "\nSTREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    sts = "AWS4-HMAC-SHA256\n" + amz + "\n" + scope + "\n" + hashlib.sha256(canon.encode()).hexdigest()
    kdate = h(("AWS4" + sk).encode(), date)
    ksign = h(h(h(kdate, region), "s3"), "aws4_request")
    seed = hmac.new(ksign, sts.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={';'.join(names)}, "
                                f"Signature={seed}")
    body = b""
    prev = seed
    empty = hashlib.sha256(b"").hexdigest()
    for i, c in enumerate(chunks):
        csts = "AWS4-HMAC-SHA256-PAYLOAD\n" + amz + "\n" + scope + "\n" + prev + "\n" + empty + "\n" + \
            hashlib.sha256(c).hexdigest()
        sig = hmac.new(ksign, csts.encode(), hashlib.sha256).hexdigest()
        prev = sig
        if tamper == "data" and i == 1:
            c = bytes([c[0] ^ 1]) + c[1:]
        if tamper == "sig" and i == 1:
            sig = "0" * 64
        body += (b"%x;chunk-signature=" % len(c)) + sig.encode() + b"\r\n" + c + b"\r\n"
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("PUT", path, body=body, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def get(key):
    # Read back through a presigned-free path: boto3 is the reader.
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                      region_name=region, config=Config(s3={"addressing_style": "path"}))
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception:
        return None


data = bytes((i * 7 + i // 256) % 256 for i in range(3 * 1024 * 1024 + 12345))
st, body = put("chunked/good.bin", data)
assert st == 200, (st, body)
assert get("chunked/good.bin") == data, "chunked upload content differs"
for tamper in ("data", "sig"):
    st, body = put(f"chunked/bad-{tamper}.bin", data, tamper=tamper)
    assert st == 403 and b"SignatureDoesNotMatch" in body, (tamper, st, body)
    assert get(f"chunked/bad-{tamper}.bin") is None, f"a refused chunked upload ({tamper}) left an object"
print("chunked put: passed")
