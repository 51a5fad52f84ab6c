#!/usr/bin/env python3
"""boto3 against `slicefs gateway`: every operation, its S3 error codes,
presigned URLs, and (given a mount of the same volume) that objects written
through the gateway read identically through the mount and the other way
round. Usage: boto3_suite.py ENDPOINT BUCKET ACCESS SECRET [MOUNTPOINT]
Exits non-zero on the first failure, printing what differed."""
import hashlib
import os
import sys
import time
import urllib.request
import urllib.error

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, bucket, ak, sk = sys.argv[1:5]
mnt = sys.argv[5] if len(sys.argv) > 5 else ""


def client(access=ak, secret=sk, **cfg):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                        region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}, **cfg))


s3 = client()
checks = 0


def expect_code(want, fn, *a, **kw):
    got = code_of(fn, *a, **kw)
    check(got[0] == want, f"expected {want}, got {got}")


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        print("FAIL:", what, flush=True)
        sys.exit(1)


def code_of(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def md5(b):
    return hashlib.md5(b).hexdigest()


# ---- buckets ----
names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
check(bucket in names, f"list_buckets has {bucket}: {names}")
s3.head_bucket(Bucket=bucket)
check(code_of(s3.head_bucket, Bucket="no-such-bucket")[1] == 404, "head_bucket of a missing bucket is 404")
check(code_of(s3.list_objects_v2, Bucket="no-such-bucket")[0] == "NoSuchBucket", "NoSuchBucket")

# ---- put / get / head with metadata ----
body = os.urandom(300000)
r = s3.put_object(Bucket=bucket, Key="docs/a.bin", Body=body, ContentType="application/x-test",
                  Metadata={"color": "blue", "Owner": "me"})
check(r["ETag"] == '"%s"' % md5(body), f"put ETag is the MD5: {r['ETag']}")
g = s3.get_object(Bucket=bucket, Key="docs/a.bin")
check(g["Body"].read() == body, "get returns the body")
check(g["ContentType"] == "application/x-test", f"content type kept: {g['ContentType']}")
check(g["Metadata"] == {"color": "blue", "owner": "me"}, f"user metadata kept: {g['Metadata']}")
check(g["ETag"] == '"%s"' % md5(body), "get ETag")
h = s3.head_object(Bucket=bucket, Key="docs/a.bin")
check(h["ContentLength"] == len(body), "head length")
check(h["ETag"] == r["ETag"], "head ETag")
check(code_of(s3.head_object, Bucket=bucket, Key="docs/none")[1] == 404, "head of a missing key is 404")
check(code_of(s3.get_object, Bucket=bucket, Key="docs/none")[0] == "NoSuchKey", "NoSuchKey")
check(code_of(s3.get_object, Bucket=bucket, Key="docs")[0] == "NoSuchKey", "a directory is not an object")
s3.put_object(Bucket=bucket, Key="empty", Body=b"")
check(s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b"", "empty object")
check(s3.head_object(Bucket=bucket, Key="empty")["ETag"] == '"%s"' % md5(b""), "empty ETag")
odd = "odd keys/with space+plus=eq&amp;~$%#é€"
s3.put_object(Bucket=bucket, Key=odd, Body=b"odd")
check(s3.get_object(Bucket=bucket, Key=odd)["Body"].read() == b"odd", "odd key round trip")
check(code_of(s3.put_object, Bucket=bucket, Key="docs/a.bin/child", Body=b"x")[1] in (400, 409),
      "a key below an object is refused")
c_ = code_of(s3.put_object, Bucket=bucket, Key="a//b", Body=b"x")
check(c_[0] == "InvalidArgument", f"empty component refused: {c_}")
check(code_of(s3.put_object, Bucket=bucket, Key="x/" + "k" * 300, Body=b"x")[0] == "KeyTooLongError",
      "component over 255 bytes")
# overwrite replaces content and metadata
s3.put_object(Bucket=bucket, Key="docs/a.bin", Body=b"v2")
g = s3.get_object(Bucket=bucket, Key="docs/a.bin")
check(g["Body"].read() == b"v2" and g["Metadata"] == {}, "overwrite replaces data and metadata")
s3.put_object(Bucket=bucket, Key="docs/a.bin", Body=body)
# Content-MD5 is checked
check(code_of(s3.put_object, Bucket=bucket, Key="bad-md5", Body=b"abc", ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")[0] ==
      "BadDigest", "wrong Content-MD5 is BadDigest")
check(code_of(s3.head_object, Bucket=bucket, Key="bad-md5")[1] == 404, "a refused PUT leaves nothing")

# ---- ranges and conditions ----
check(s3.get_object(Bucket=bucket, Key="docs/a.bin", Range="bytes=10-19")["Body"].read() == body[10:20], "range a-b")
check(s3.get_object(Bucket=bucket, Key="docs/a.bin", Range="bytes=-7")["Body"].read() == body[-7:], "suffix range")
rr = s3.get_object(Bucket=bucket, Key="docs/a.bin", Range="bytes=299990-")
check(rr["Body"].read() == body[299990:], "open range")
check(rr["ContentRange"] == "bytes 299990-299999/300000", f"Content-Range {rr['ContentRange']}")
check(code_of(s3.get_object, Bucket=bucket, Key="docs/a.bin", Range="bytes=400000-")[0] == "InvalidRange",
      "unsatisfiable range")
etag = h["ETag"]
check(code_of(s3.get_object, Bucket=bucket, Key="docs/a.bin", IfMatch='"0000"')[0] == "PreconditionFailed",
      "If-Match mismatch")
s3.get_object(Bucket=bucket, Key="docs/a.bin", IfMatch=etag)
check(code_of(s3.get_object, Bucket=bucket, Key="docs/a.bin", IfNoneMatch=etag)[1] == 304, "If-None-Match -> 304")
future = time.time() + 3600
import datetime
fut = datetime.datetime.fromtimestamp(future, datetime.timezone.utc)
past = datetime.datetime.fromtimestamp(time.time() - 86400 * 30, datetime.timezone.utc)
check(code_of(s3.get_object, Bucket=bucket, Key="docs/a.bin", IfModifiedSince=fut)[1] == 304, "If-Modified-Since")
check(code_of(s3.get_object, Bucket=bucket, Key="docs/a.bin", IfUnmodifiedSince=past)[0] == "PreconditionFailed",
      "If-Unmodified-Since")

# ---- copy (metadata-level) ----
c = s3.copy_object(Bucket=bucket, Key="copies/a.bin", CopySource={"Bucket": bucket, "Key": "docs/a.bin"})
check(c["CopyObjectResult"]["ETag"] == etag, "copy keeps the ETag")
g = s3.get_object(Bucket=bucket, Key="copies/a.bin")
check(g["Body"].read() == body and g["Metadata"] == {}, "copy content")
s3.put_object(Bucket=bucket, Key="docs/m", Body=b"m", Metadata={"k": "v"}, ContentType="text/x-m")
s3.copy_object(Bucket=bucket, Key="copies/m", CopySource=f"{bucket}/docs/m")
check(s3.head_object(Bucket=bucket, Key="copies/m")["Metadata"] == {"k": "v"}, "COPY directive keeps metadata")
s3.copy_object(Bucket=bucket, Key="copies/m2", CopySource=f"{bucket}/docs/m", MetadataDirective="REPLACE",
               Metadata={"n": "w"}, ContentType="text/y")
h2 = s3.head_object(Bucket=bucket, Key="copies/m2")
check(h2["Metadata"] == {"n": "w"} and h2["ContentType"] == "text/y", f"REPLACE directive: {h2['Metadata']}")
check(code_of(s3.copy_object, Bucket=bucket, Key="docs/m", CopySource=f"{bucket}/docs/m")[0] == "InvalidRequest",
      "copy onto itself without REPLACE")
check(code_of(s3.copy_object, Bucket=bucket, Key="x", CopySource=f"{bucket}/docs/none")[0] == "NoSuchKey",
      "copy of a missing source")

# ---- listing ----
for i in range(25):
    s3.put_object(Bucket=bucket, Key=f"list/d{i % 3}/k{i:02d}", Body=b"x")
    s3.put_object(Bucket=bucket, Key=f"list/f{i:02d}", Body=b"y")
allkeys = []
tok = None
pages = 0
while True:
    kw = {"Bucket": bucket, "Prefix": "list/", "MaxKeys": 7}
    if tok:
        kw["ContinuationToken"] = tok
    r = s3.list_objects_v2(**kw)
    pages += 1
    allkeys += [o["Key"] for o in r.get("Contents", [])]
    if not r["IsTruncated"]:
        break
    tok = r["NextContinuationToken"]
check(allkeys == sorted(allkeys) and len(allkeys) == 50, f"v2 paging: {len(allkeys)} keys in {pages} pages")
r = s3.list_objects_v2(Bucket=bucket, Prefix="list/", Delimiter="/")
check([p["Prefix"] for p in r["CommonPrefixes"]] == ["list/d0/", "list/d1/", "list/d2/"], "common prefixes")
check(len(r["Contents"]) == 25, "files beside common prefixes")
r = s3.list_objects_v2(Bucket=bucket, Prefix="list/", StartAfter="list/f20")
check([o["Key"] for o in r["Contents"]] == ["list/f21", "list/f22", "list/f23", "list/f24"], "start-after")
v1 = []
marker = ""
while True:
    r = s3.list_objects(Bucket=bucket, Prefix="list/d1/", MaxKeys=3, Marker=marker)
    v1 += [o["Key"] for o in r.get("Contents", [])]
    if not r["IsTruncated"]:
        break
    marker = r.get("NextMarker", v1[-1])
check(v1 == [f"list/d1/k{i:02d}" for i in range(1, 25, 3)], f"v1 paging: {v1}")
check(code_of(s3.list_objects_v2, Bucket=bucket, ContinuationToken="zz-not-hex")[0] == "InvalidArgument",
      "bad continuation token")
pg = s3.get_paginator("list_objects_v2")
n = sum(len(p.get("Contents", [])) for p in pg.paginate(Bucket=bucket, Prefix="list/", PaginationConfig={"PageSize": 4}))
check(n == 50, "paginator")

# ---- folders ----
s3.put_object(Bucket=bucket, Key="folder/", Body=b"")
r = s3.list_objects_v2(Bucket=bucket, Prefix="folder")
check([o["Key"] for o in r["Contents"]] == ["folder/"], "empty folder object listed")
s3.head_object(Bucket=bucket, Key="folder/")
s3.delete_object(Bucket=bucket, Key="folder/")
check(code_of(s3.head_object, Bucket=bucket, Key="folder/")[1] == 404, "folder deleted")

# ---- delete / delete-objects ----
s3.delete_object(Bucket=bucket, Key="docs/none")  # absent: still 204
r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"list/f{i:02d}"} for i in range(10)] +
                                             [{"Key": "a//b"}]})
check(len(r["Deleted"]) == 10, "delete_objects deleted 10")
check([e["Key"] for e in r.get("Errors", [])] == ["a//b"], "delete_objects reports the bad key")
r = s3.list_objects_v2(Bucket=bucket, Prefix="list/f")
check(len(r["Contents"]) == 15, "15 left")
s3.delete_object(Bucket=bucket, Key="copies/m")
s3.delete_object(Bucket=bucket, Key="copies/m2")
s3.delete_object(Bucket=bucket, Key="copies/a.bin")
check("copies/" not in [p["Prefix"] for p in s3.list_objects_v2(Bucket=bucket, Delimiter="/").get("CommonPrefixes", [])],
      "empty parent directories are removed")

# ---- multipart ----
part = os.urandom(5 << 20)
up = s3.create_multipart_upload(Bucket=bucket, Key="mp/big.bin", ContentType="video/x-test", Metadata={"p": "1"})
uid = up["UploadId"]
e1 = s3.upload_part(Bucket=bucket, Key="mp/big.bin", UploadId=uid, PartNumber=1, Body=part)["ETag"]
e2 = s3.upload_part(Bucket=bucket, Key="mp/big.bin", UploadId=uid, PartNumber=2, Body=b"tail")["ETag"]
ups = s3.list_multipart_uploads(Bucket=bucket)
check([u["UploadId"] for u in ups.get("Uploads", [])] == [uid], "list_multipart_uploads")
parts = s3.list_parts(Bucket=bucket, Key="mp/big.bin", UploadId=uid)["Parts"]
check([(p["PartNumber"], p["Size"]) for p in parts] == [(1, 5 << 20), (2, 4)], f"list_parts {parts}")
expect_code("InvalidPartOrder", s3.complete_multipart_upload, Bucket=bucket, Key="mp/big.bin", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]})
check(code_of(s3.complete_multipart_upload, Bucket=bucket, Key="mp/big.bin", UploadId=uid,
              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00"'}, {"PartNumber": 2, "ETag": e2}]})[0] ==
      "InvalidPart", "InvalidPart")
expect_code("InvalidPart", s3.complete_multipart_upload, Bucket=bucket, Key="mp/big.bin", UploadId=uid,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 3, "ETag": e2}]})
r = s3.complete_multipart_upload(Bucket=bucket, Key="mp/big.bin", UploadId=uid,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
want = hashlib.md5(hashlib.md5(part).digest() + hashlib.md5(b"tail").digest()).hexdigest() + "-2"
check(r["ETag"] == '"%s"' % want, f"multipart ETag {r['ETag']} != {want}")
g = s3.get_object(Bucket=bucket, Key="mp/big.bin")
check(g["Body"].read() == part + b"tail", "multipart content")
check(g["ContentType"] == "video/x-test" and g["Metadata"] == {"p": "1"}, "multipart metadata")
check(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == [], "upload gone after complete")
check(code_of(s3.list_parts, Bucket=bucket, Key="mp/big.bin", UploadId=uid)[0] == "NoSuchUpload", "NoSuchUpload")
up2 = s3.create_multipart_upload(Bucket=bucket, Key="mp/aborted")["UploadId"]
s3.upload_part(Bucket=bucket, Key="mp/aborted", UploadId=up2, PartNumber=1, Body=b"a")
check(code_of(s3.complete_multipart_upload, Bucket=bucket, Key="mp/aborted", UploadId=up2,
              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"%s"' % md5(b"a")}, {"PartNumber": 2, "ETag": '"%s"' % md5(b"a")}]})[0] in
      ("EntityTooSmall", "InvalidPart"), "small non-last part")
s3.abort_multipart_upload(Bucket=bucket, Key="mp/aborted", UploadId=up2)
check(code_of(s3.head_object, Bucket=bucket, Key="mp/aborted")[1] == 404, "aborted upload leaves no object")
check(code_of(s3.upload_part, Bucket=bucket, Key="mp/aborted", UploadId=up2, PartNumber=1, Body=b"a")[0] ==
      "NoSuchUpload", "part after abort")
check(code_of(s3.upload_part, Bucket=bucket, Key="mp/big.bin", UploadId="f" * 32, PartNumber=1, Body=b"a")[0] ==
      "NoSuchUpload", "unknown upload id")

# ---- presigned URLs ----
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "docs/a.bin"}, ExpiresIn=300)
check(urllib.request.urlopen(url).read() == body, "presigned GET")
put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned/p"}, ExpiresIn=300)
req = urllib.request.Request(put_url, data=b"via presigned put", method="PUT")
urllib.request.urlopen(req).read()
check(s3.get_object(Bucket=bucket, Key="presigned/p")["Body"].read() == b"via presigned put", "presigned PUT")
bad = client(secret="wrong").generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "docs/a.bin"})
try:
    urllib.request.urlopen(bad)
    check(False, "presigned URL with a wrong secret must fail")
except urllib.error.HTTPError as e:
    check(e.code == 403 and b"SignatureDoesNotMatch" in e.read(), "presigned wrong secret -> SignatureDoesNotMatch")
tampered = url.replace("docs/a.bin", "docs/m")
try:
    urllib.request.urlopen(tampered)
    check(False, "a presigned URL for another key must fail")
except urllib.error.HTTPError as e:
    check(e.code == 403, "tampered presigned URL")

# ---- wrong keys, anonymous ----
check(code_of(client(secret="wrong").list_buckets) == ("SignatureDoesNotMatch", 403), "wrong secret")
check(code_of(client(access="nobody").list_buckets) == ("InvalidAccessKeyId", 403), "unknown access key")
check(code_of(client(secret="wrong").put_object, Bucket=bucket, Key="w", Body=b"x")[0] == "SignatureDoesNotMatch",
      "wrong secret on PUT")
check(code_of(s3.head_object, Bucket=bucket, Key="w")[1] == 404, "an unauthenticated PUT writes nothing")
try:
    urllib.request.urlopen(endpoint + "/" + bucket)
    check(False, "anonymous request must fail")
except urllib.error.HTTPError as e:
    check(e.code == 403 and b"AccessDenied" in e.read(), "anonymous -> AccessDenied")

# ---- the mount sees the same objects, and the other way round ----
if mnt:
    def wait_file(p, want, timeout=5.0):
        end = time.time() + timeout
        while True:
            try:
                with open(p, "rb") as f:
                    got = f.read()
                if got == want:
                    return True
            except OSError:
                pass
            if time.time() > end:
                return False
            time.sleep(0.1)
    check(wait_file(os.path.join(mnt, "docs/a.bin"), body), "gateway PUT reads identically through the mount")
    check(wait_file(os.path.join(mnt, "mp/big.bin"), part + b"tail"), "multipart object through the mount")
    check(os.getxattr(os.path.join(mnt, "docs/m"), "user.s3.content-type") == b"text/x-m", "metadata xattr on the mount")
    os.makedirs(os.path.join(mnt, "frommount/sub"), exist_ok=True)
    data = os.urandom(123457)
    with open(os.path.join(mnt, "frommount/sub/f.bin"), "wb") as f:
        f.write(data)
    end = time.time() + 5
    while True:
        c, _ = code_of(s3.head_object, Bucket=bucket, Key="frommount/sub/f.bin")
        if c is None or time.time() > end:
            break
        time.sleep(0.1)
    g = s3.get_object(Bucket=bucket, Key="frommount/sub/f.bin")
    check(g["Body"].read() == data, "a file written through the mount reads identically through the gateway")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="frommount/")["Contents"]]
    check(keys == ["frommount/sub/f.bin"], f"mount file listed: {keys}")
    # Changed through the mount after a gateway PUT: the stored ETag is stale and not served.
    with open(os.path.join(mnt, "docs/m"), "ab") as f:
        f.write(b"more")
    end = time.time() + 5
    while time.time() < end and s3.head_object(Bucket=bucket, Key="docs/m")["ContentLength"] != 5:
        time.sleep(0.1)
    check(s3.head_object(Bucket=bucket, Key="docs/m")["ETag"] != '"%s"' % md5(b"m"), "stale ETag not served")

print(f"boto3 suite: {checks} checks passed", flush=True)
