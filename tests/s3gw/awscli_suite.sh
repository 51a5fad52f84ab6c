#!/usr/bin/env bash
# The AWS CLI against `slicefs gateway`: s3 cp of a 200 MiB file (multipart),
# s3 sync of a tree, s3 ls --recursive, s3api copy-object, ranged
# get-object, delete-objects, list-objects-v2 with delimiter and paging.
# Usage: awscli_suite.sh AWS ENDPOINT BUCKET WORKDIR (credentials in AWS_* env).
set -euo pipefail
AWS=$1 EP=$2 B=$3 W=$4
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
a() { "$AWS" --endpoint-url "$EP" "$@"; }
api() { "$AWS" --endpoint-url "$EP" s3api "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$W" && cd "$W"

# 200 MiB: the CLI splits it into 8 MiB parts (multipart upload).
head -c $((200 << 20)) /dev/urandom > big.bin
a s3 cp big.bin "s3://$B/cli/big.bin" --only-show-errors
etag=$(api head-object --bucket "$B" --key cli/big.bin --query ETag --output text)
[[ "$etag" == *-25* ]] || fail "200 MiB upload was not multipart (ETag $etag)"
a s3 cp "s3://$B/cli/big.bin" big.back --only-show-errors
cmp big.bin big.back || fail "200 MiB round trip differs"

# Ranged get.
api get-object --bucket "$B" --key cli/big.bin --range bytes=1000000-1000999 range.out >/dev/null
cmp <(tail -c +1000001 big.bin | head -c 1000) range.out || fail "ranged get-object"
rm -f big.back range.out

# sync a tree in and out.
mkdir -p tree/a/b tree/c
for i in $(seq 1 30); do head -c $((RANDOM * 3)) /dev/urandom > "tree/a/f$i"; done
for i in $(seq 1 10); do echo "file $i" > "tree/a/b/g$i.txt"; done
echo "space name" > "tree/c/with space.txt"
a s3 sync tree "s3://$B/cli/tree" --only-show-errors
n=$(a s3 ls --recursive "s3://$B/cli/tree/" | wc -l)
[ "$n" -eq 41 ] || fail "s3 ls --recursive lists $n objects, want 41"
a s3 sync "s3://$B/cli/tree" tree.back --only-show-errors
diff -r tree tree.back || fail "sync out differs"
# A second sync uploads nothing.
out=$(a s3 sync tree "s3://$B/cli/tree")
[ -z "$out" ] || fail "second sync copied again: $out"

# copy-object (metadata-level on the server).
api copy-object --bucket "$B" --key cli/copy.bin --copy-source "$B/cli/big.bin" >/dev/null
[ "$(api head-object --bucket "$B" --key cli/copy.bin --query ContentLength --output text)" = $((200 << 20)) ] ||
  fail "copy-object length"

# list-objects-v2 with delimiter, then with paging.
pfx=$(api list-objects-v2 --bucket "$B" --prefix cli/tree/ --delimiter / --query 'CommonPrefixes[].Prefix' --output text)
[ "$pfx" = "$(printf 'cli/tree/a/\tcli/tree/c/')" ] || fail "common prefixes: $pfx"
keys=$(api list-objects-v2 --bucket "$B" --prefix cli/tree/a/ --page-size 7 --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -c .)
[ "$keys" -eq 40 ] || fail "paged list-objects-v2 gave $keys keys, want 40"
first=$(api list-objects-v2 --bucket "$B" --prefix cli/tree/a/ --max-items 5 --page-size 2 --output json)
echo "$first" | grep -q NextToken || fail "max-items does not return a NextToken"

# delete-objects.
api delete-objects --bucket "$B" --delete '{"Objects":[{"Key":"cli/copy.bin"},{"Key":"cli/tree/c/with space.txt"}]}' >/dev/null
left=$(a s3 ls --recursive "s3://$B/cli/" | wc -l)
[ "$left" -eq 41 ] || fail "after delete-objects $left objects, want 41 (big.bin and 40 of the tree)"
a s3 rm --recursive "s3://$B/cli/" --only-show-errors
[ -z "$(a s3 ls --recursive "s3://$B/cli/")" ] || fail "s3 rm --recursive left objects"
echo "awscli suite: passed"
