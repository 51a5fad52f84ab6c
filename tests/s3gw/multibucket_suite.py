#!/usr/bin/env python3
"""--multi-buckets: buckets are top-level directories (create, list, head,
delete, BucketNotEmpty, InvalidBucketName, NoSuchBucket); and multipart
complete joins parts by metadata: the storage holds no more block objects
after complete than before. Usage: multibucket_suite.py ENDPOINT ACCESS SECRET BLOCKDIR"""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, ak, sk, blockdir = sys.argv[1:5]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def blocks():
    return sum(len(files) for _, _, files in os.walk(blockdir))


assert s3.list_buckets()["Buckets"] == [], "no buckets at first"
s3.create_bucket(Bucket="alpha")
s3.create_bucket(Bucket="beta.two")
assert code(s3.create_bucket, Bucket="alpha") == "BucketAlreadyOwnedByYou"
assert code(s3.create_bucket, Bucket="Bad_Name") == "InvalidBucketName"
assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["alpha", "beta.two"]
s3.head_bucket(Bucket="alpha")
assert code(s3.list_objects_v2, Bucket="gamma") == "NoSuchBucket"
assert code(s3.put_object, Bucket="gamma", Key="k", Body=b"x") == "NoSuchBucket"
s3.put_object(Bucket="alpha", Key="d/k", Body=b"in alpha")
assert code(s3.get_object, Bucket="beta.two", Key="d/k") == "NoSuchKey", "buckets are separate"
assert code(s3.delete_bucket, Bucket="alpha") == "BucketNotEmpty"

part = os.urandom(6 << 20)
up = s3.create_multipart_upload(Bucket="alpha", Key="mp/joined")["UploadId"]
e = [s3.upload_part(Bucket="alpha", Key="mp/joined", UploadId=up, PartNumber=i + 1, Body=part)["ETag"] for i in range(3)]
before = blocks()
s3.complete_multipart_upload(Bucket="alpha", Key="mp/joined", UploadId=up,
                             MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": e[i]} for i in range(3)]})
assert s3.get_object(Bucket="alpha", Key="mp/joined")["Body"].read() == part * 3
after = blocks()
assert after <= before, f"complete wrote block objects: {before} -> {after}"

for k in ("d/k", "mp/joined"):
    s3.delete_object(Bucket="alpha", Key=k)
s3.delete_bucket(Bucket="alpha")
assert code(s3.head_bucket, Bucket="alpha") in ("404", "NoSuchBucket")
assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["beta.two"]
print(f"multibucket suite: passed (blocks {before} before complete, {after} after)")
