#!/usr/bin/env python3
"""SIGTERM while a download is in flight: the download still completes with
every byte, and afterwards the gateway accepts no new connection.
Usage: sigterm_inflight.py ENDPOINT BUCKET ACCESS SECRET GATEWAY_PID"""
import hashlib
import os
import signal
import socket
import sys
import time
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

endpoint, bucket, ak, sk, pid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk, region_name="us-east-1",
                  config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
data = os.urandom(24 << 20)
s3.put_object(Bucket=bucket, Key="inflight.bin", Body=data)
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "inflight.bin"}, ExpiresIn=600)
resp = urllib.request.urlopen(url)
got = resp.read(1 << 20)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
while True:
    b = resp.read(1 << 20)
    if not b:
        break
    got += b
    time.sleep(0.02)  # a slow reader: the transfer outlives the signal by a while
assert hashlib.md5(got).digest() == hashlib.md5(data).digest(), f"download cut short: {len(got)} of {len(data)} bytes"
u = urllib.parse.urlparse(endpoint)
end = time.time() + 15
while time.time() < end:
    try:
        socket.create_connection((u.hostname, u.port), timeout=1).close()
        time.sleep(0.2)
    except OSError:
        print("sigterm in flight: passed")
        sys.exit(0)
print("FAIL: still accepting connections 15 s after SIGTERM")
sys.exit(1)
