#!/usr/bin/env bash
# Round trips per namespace operation through a real mount: FUSE requests
# (by op, from the mount's .stats) and metadata transactions
# (slicefs_meta_txn_total) per file, for create, stat, rename and unlink
# of N files in one directory, on sqlite3 over `file` storage. The counts
# are deterministic (no timing), so this may run on a busy machine.
#
#   bench/roundtrips.sh BUILD/slicefs [WORKDIR] [-- extra mount args]
#
# N (default 200) files. Prints a markdown table. Each phase runs in one
# python process; `stat` runs twice: right after the creates (the kernel's
# attribute and entry caches, 1 s by default, may answer) and after
# sleeping past them (cold).
set -euo pipefail
BIN=$(readlink -f "${1:?usage: roundtrips.sh SLICEFS_BIN [WORKDIR] [-- MOUNT-ARGS]}")
W=${2:-/tmp/slicefs-roundtrips}
shift 2 || shift $#
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
N=${N:-200}
rm -rf "$W"; mkdir -p "$W/mnt"
W=$(readlink -f "$W")
META="sqlite3://$W/meta.db"
cleanup() { grep -qs " $W/mnt " /proc/self/mounts && { fusermount3 -u "$W/mnt" || fusermount3 -uz "$W/mnt"; } || true; }
trap cleanup EXIT
"$BIN" format "$META" rtvol --storage file --bucket "$W/bucket" --trash-days 0 >/dev/null
"$BIN" mount -d "$META" "$W/mnt" --cache-dir "$W/cache" --log "$W/mount.log" "${EXTRA[@]}" >/dev/null
M="$W/mnt"
mkdir "$M/d"

python3 - "$M" "$N" <<'PY'
import os, re, sys, time
m, n = sys.argv[1], int(sys.argv[2])
d = os.path.join(m, "d")

def snap():
    with open(os.path.join(m, ".stats")) as f:
        text = f.read()
    ops = {}
    for op, v in re.findall(r'slicefs_fuse_op_duration_seconds_count\{[^}]*op="([a-z_]+)"[^}]*\} ([0-9.e+]+)', text):
        ops[op] = ops.get(op, 0) + float(v)
    txn = sum(float(v) for v in re.findall(r'^slicefs_meta_txn_total(?:\{[^}]*\})? ([0-9.e+]+)', text, re.M))
    return ops, txn

def phase(name, fn):
    snap()  # the .stats entry is cached from here on
    a_ops, a_txn = snap()
    fn()
    b_ops, b_txn = snap()
    # One snap() costs what a_ops..b_ops of an empty phase costs: measured below.
    return name, {k: b_ops.get(k, 0) - a_ops.get(k, 0) for k in b_ops}, b_txn - a_txn

def nothing(): pass
def create():
    for i in range(n):
        os.close(os.open(os.path.join(d, "f%d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
def stat():
    for i in range(n): os.stat(os.path.join(d, "f%d" % i))
def rename():
    for i in range(n): os.rename(os.path.join(d, "f%d" % i), os.path.join(d, "g%d" % i))
def unlink():
    for i in range(n): os.unlink(os.path.join(d, "g%d" % i))

results = [phase("(empty phase: the .stats reads)", nothing), phase("create", create),
           phase("stat (warm caches)", stat)]
time.sleep(2.5)
results += [phase("stat (caches expired)", stat), phase("rename", rename), phase("unlink", unlink)]
base_ops, base_txn = results[0][1], results[0][2]
print("| operation (%d files) | FUSE requests per file | metadata txns per file |" % n)
print("|---|---|---|")
for name, ops, txn in results[1:]:
    per = {k: (v - base_ops.get(k, 0)) / n for k, v in ops.items()}
    per = {k: v for k, v in per.items() if abs(v) >= 0.005}
    total = sum(per.values())
    desc = ", ".join("%s %.2f" % (k, v) for k, v in sorted(per.items(), key=lambda kv: -kv[1]))
    print("| %s | %.2f (%s) | %.2f |" % (name, total, desc or "none", (txn - base_txn) / n))
PY
