#!/usr/bin/python3
"""Stateful differential test: slicefs against tmpfs (Debian python3-hypothesis).

A hypothesis RuleBasedStateMachine applies every operation twice, to a
directory on a real slicefs mount (sqlite3 metadata, file storage) and to a
directory on a tmpfs mounted for the run (the machine's local filesystem with
user xattrs up to 64 KiB and chattr +i/+a; ext4 here caps xattrs at one block).
Each operation runs in a forked child with its own credentials
(setgroups/setresgid/setresuid) and umask, so several users and groups act on
one tree. Return values, errno and normalized stat fields (type, mode, uid,
gid, nlink, size; not times, st_blocks, st_dev, st_ino, or directory sizes)
must agree; at the end of every example the whole trees (names, stat fields,
contents, symlink targets, user xattrs, inode flags) must agree too.

Differences that are expected, and how they are handled:
  - FALLOC_FL_ZERO_RANGE: tmpfs has none, slicefs has; the local side gets
    the equivalent punch hole (+ extension unless KEEP_SIZE).
  - COLLAPSE_RANGE / INSERT_RANGE: neither has them (both EOPNOTSUPP).
  - With inode flags set, the kernel's own checks on a FUSE inode come
    before slicefs's flag check, as the kernel does not know FUSE inode flags:
    mode bits (default_permissions: EACCES), rmdir of a non-directory
    (ENOTDIR), unlink of a directory (EISDIR), where tmpfs says EPERM.
    Accepted only while some inode in the tree carries a flag.

Not generated: O_TMPFILE (FUSE here has no tmpfile operation; see
tests/posix/open_flags_test.cc) and ACLs (slicefs has none yet).

A failure is shrunk to a minimal sequence (printed as Python steps) and the
command that replays it is printed (same seed, same example database).

  fs_differential.py --slicefs build/slicefs [--minutes M | --examples N]
                     [--steps S] [--seed N] [--db DIR]
Needs root (mounts, setresuid). Exit 0: no mismatch; 1: mismatch; 2: setup.
"""
import argparse
import ctypes
import errno
import fcntl
import hashlib
import os
import pickle
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

from hypothesis import HealthCheck, settings, strategies as st
import hypothesis.core
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
LIBC.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
AT_FDCWD = -100
FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_IMMUTABLE_FL, FS_APPEND_FL = 0x10, 0x20
FALLOC_KEEP, FALLOC_PUNCH, FALLOC_COLLAPSE, FALLOC_ZERO, FALLOC_INSERT = 0x01, 0x02, 0x08, 0x10, 0x20

# Users: (uid, gid, supplementary groups). 1001 is also in group 1000.
USERS = [(0, 0, []), (1000, 1000, [1000]), (1001, 1001, [1001, 1000]), (1002, 1002, [1002])]
ACTORS = [USERS[0]] + USERS  # root acts twice as often
UMASKS = [0o000, 0o000, 0o022, 0o027, 0o077]
MODES = [0o000, 0o600, 0o644, 0o666, 0o700, 0o755, 0o777, 0o1777, 0o2775, 0o4755, 0o2755, 0o751]
PATHS = ["a", "b", "x", "z", "loop", "x/a", "x/b", "x/y", "x/y/a", "x/y/z", "z/a", "z/x"]
LINK_TARGETS = ["a", "b", "x", "x/a", "../a", "loop", "z/x", ".", "..", "missing", "/nonexistent/t"]
SIZES = [0, 1, 7, 100, 4095, 4096, 4097, 65536, 200000, 1 << 20]
OFFSETS = [0, 1, 100, 4095, 4096, 65536, 1 << 20, (1 << 20) + 5, 3 << 20]
XSIZES = [0, 1, 100, 4096, 65535, 65536, 65537]
ACC = [os.O_RDONLY, os.O_WRONLY, os.O_RDWR]
OPEN_EXTRA = [os.O_CREAT, os.O_EXCL, os.O_TRUNC, os.O_APPEND, os.O_DIRECTORY, os.O_NOFOLLOW]


def data_for(size, seed):
    """Deterministic bytes: the same on both sides."""
    block = hashlib.sha256(b"%d" % seed).digest() * 128  # 4 KiB
    return (block * (size // len(block) + 1))[:size]


def norm_stat(s):
    t = stat.S_IFMT(s.st_mode)
    return (t, stat.S_IMODE(s.st_mode), s.st_uid, s.st_gid, s.st_nlink, None if t == stat.S_IFDIR else s.st_size)


def get_flags(path):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        buf = fcntl.ioctl(fd, FS_IOC_GETFLAGS, struct.pack("i", 0))
        return struct.unpack("i", buf)[0] & (FS_IMMUTABLE_FL | FS_APPEND_FL)
    finally:
        os.close(fd)


def set_flags(path, flags):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", flags))
    finally:
        os.close(fd)


def libc_check(r):
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


# ---- operations: fn(root, *args) run in the child; `local` says which side.
# Every open is O_NONBLOCK so that a FIFO in the tree never blocks (ENXIO for
# a writer without reader, on both sides).
NB = os.O_NONBLOCK
def op_stat(root, local, p, follow):
    return norm_stat(os.stat(os.path.join(root, p)) if follow else os.lstat(os.path.join(root, p)))


def op_open(root, local, p, acc, extra, mode):
    fd = os.open(os.path.join(root, p), acc | extra | NB, mode)
    try:
        before = norm_stat(os.fstat(fd))
        if acc == os.O_RDONLY or not stat.S_ISREG(before[0]):
            return before
        # Where a write through this descriptor lands (O_APPEND, O_TRUNC).
        os.write(fd, b"xy")
        return before, os.lseek(fd, 0, os.SEEK_CUR), norm_stat(os.fstat(fd))
    finally:
        os.close(fd)


def op_write(root, local, p, off, size, seed, append, create):
    flags = os.O_WRONLY | NB | (os.O_APPEND if append else 0) | (os.O_CREAT if create else 0)
    fd = os.open(os.path.join(root, p), flags, 0o666)
    try:
        d = data_for(size, seed)
        n = os.write(fd, d) if append else os.pwrite(fd, d, off)
        return n, norm_stat(os.fstat(fd))
    finally:
        os.close(fd)


def op_read(root, local, p, off, size):
    fd = os.open(os.path.join(root, p), os.O_RDONLY | NB)
    try:
        return hashlib.sha256(os.pread(fd, size, off)).hexdigest()
    finally:
        os.close(fd)


def op_truncate(root, local, p, size, via_fd):
    path = os.path.join(root, p)
    if not via_fd:
        return os.truncate(path, size)
    fd = os.open(path, os.O_WRONLY | NB)
    try:
        return os.ftruncate(fd, size)
    finally:
        os.close(fd)


def op_fallocate(root, local, p, mode, off, size):
    fd = os.open(os.path.join(root, p), os.O_WRONLY | NB)
    try:
        if local and (mode & FALLOC_ZERO) and not (mode & (FALLOC_PUNCH | FALLOC_COLLAPSE | FALLOC_INSERT)):
            # tmpfs has no ZERO_RANGE: its equivalent on a regular file.
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.ENODEV, "not a regular file")
            if size <= 0:
                raise OSError(errno.EINVAL, "zero length")
            libc_check(LIBC.fallocate(fd, FALLOC_PUNCH | FALLOC_KEEP, off, size))
            if not (mode & FALLOC_KEEP) and os.fstat(fd).st_size < off + size:
                os.ftruncate(fd, off + size)
            return None
        libc_check(LIBC.fallocate(fd, mode, off, size))
        return None
    finally:
        os.close(fd)


def op_copy(root, local, src, dst, off_in, off_out, size):
    fi = os.open(os.path.join(root, src), os.O_RDONLY | NB)
    try:
        fo = os.open(os.path.join(root, dst), os.O_WRONLY | NB)
        try:
            return os.copy_file_range(fi, fo, size, off_in, off_out)
        finally:
            os.close(fo)
    finally:
        os.close(fi)


def op_link(root, local, src, dst):
    return os.link(os.path.join(root, src), os.path.join(root, dst), follow_symlinks=False)


def op_symlink(root, local, target, dst):
    return os.symlink(target, os.path.join(root, dst))


def op_readlink(root, local, p):
    return os.readlink(os.path.join(root, p))


def op_rename(root, local, src, dst, flags):
    libc_check(LIBC.renameat2(AT_FDCWD, os.path.join(root, src).encode(), AT_FDCWD,
                              os.path.join(root, dst).encode(), flags))


def op_mkdir(root, local, p, mode):
    return os.mkdir(os.path.join(root, p), mode)


def op_rmdir(root, local, p):
    return os.rmdir(os.path.join(root, p))


def op_unlink(root, local, p):
    return os.unlink(os.path.join(root, p))


def op_mknod(root, local, p, kind, mode):
    return os.mknod(os.path.join(root, p), kind | mode)


def op_chmod(root, local, p, mode):
    return os.chmod(os.path.join(root, p), mode)


def op_chown(root, local, p, uid, gid):
    return os.chown(os.path.join(root, p), uid, gid, follow_symlinks=False)


def op_utime(root, local, p, explicit):
    return os.utime(os.path.join(root, p), ns=(10**18, 2 * 10**18) if explicit else None)


def op_setxattr(root, local, p, name, size, flags):
    return os.setxattr(os.path.join(root, p), name, data_for(size, 7), flags)


def op_getxattr(root, local, p, name):
    return hashlib.sha256(os.getxattr(os.path.join(root, p), name)).hexdigest()


def op_listxattr(root, local, p):
    return sorted(n for n in os.listxattr(os.path.join(root, p)) if n.startswith("user."))


def op_removexattr(root, local, p, name):
    return os.removexattr(os.path.join(root, p), name)


def op_listdir(root, local, p):
    return sorted(os.listdir(os.path.join(root, p)))


def special_not_owned(path):
    """A non-owner's chattr/lsattr on a FIFO/socket/device: tmpfs says ENOTTY
    (no fileattr ops), while the kernel answers EPERM for FUSE inodes before
    asking the daemon. Both sides raise ENOTTY for it."""
    s = os.lstat(path)
    if not (stat.S_ISREG(s.st_mode) or stat.S_ISDIR(s.st_mode)) and os.geteuid() not in (0, s.st_uid):
        raise OSError(errno.ENOTTY, "special file")


def op_chattr(root, local, p, flags):
    special_not_owned(os.path.join(root, p))
    return set_flags(os.path.join(root, p), flags)


def op_lsattr(root, local, p):
    special_not_owned(os.path.join(root, p))
    return get_flags(os.path.join(root, p))


def run_as(user, umask, fn, root, local, args):
    """fn(root, local, *args) in a forked child as `user` with `umask`:
    ('ok', value) or ('err', errno-name)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            signal.alarm(60)  # a hung mount must not hang the test
            uid, gid, groups = user
            os.setgroups(groups)
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            os.umask(umask)
            try:
                out = ("ok", fn(root, local, *args))
            except OSError as e:
                out = ("err", errno.errorcode.get(e.errno, str(e.errno)))
            os.write(w, pickle.dumps(out))
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return ("crash", status)
    return pickle.loads(b"".join(chunks))


def snapshot(root):
    """The whole tree as root: {relpath: (stat, content digest or link, xattrs, flags)}."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            s = os.lstat(full)
            extra = None
            if stat.S_ISREG(s.st_mode):
                with open(full, "rb") as f:
                    extra = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(s.st_mode):
                extra = os.readlink(full)
            xattrs, flags = None, None
            if stat.S_ISREG(s.st_mode) or stat.S_ISDIR(s.st_mode):
                xattrs = sorted((n, hashlib.sha256(os.getxattr(full, n)).hexdigest())
                                for n in os.listxattr(full) if n.startswith("user."))
                flags = get_flags(full)
            out[rel] = (norm_stat(s), extra, xattrs, flags)
    return out


def clear_tree(root):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames + ["."]:
            full = os.path.join(dirpath, name)
            if not os.path.islink(full) and (os.path.isdir(full) or os.path.isfile(full)):
                try:
                    set_flags(full, 0)
                except OSError:
                    pass
    shutil.rmtree(root)


KERNEL_FIRST = [("err", "EACCES"), ("err", "ENOTDIR"), ("err", "EISDIR")]
PROF = {}  # DIFF_PROFILE=1: time per operation kind
ERRS = {}


class Env:
    """Paths of both sides; set up by main()."""
    mnt = None
    local = None
    ops = 0
    examples = 0


paths = st.sampled_from(PATHS)
users = st.sampled_from(ACTORS)
umasks = st.sampled_from(UMASKS)
modes = st.sampled_from(MODES)


class FsMachine(RuleBasedStateMachine):
    @initialize(owners=st.lists(st.sampled_from(USERS), min_size=8, max_size=8),
                dmodes=st.lists(st.sampled_from([0o777, 0o1777, 0o2775, 0o755]), min_size=3, max_size=3),
                fmodes=st.lists(st.sampled_from([0o666, 0o664, 0o644, 0o600]), min_size=5, max_size=5))
    def setup(self, owners, dmodes, fmodes):
        """A starting tree (so that most operations meet existing names): dirs
        x, x/y, z and files a, b, x/a, x/y/a, z/a, owned by random users."""
        Env.examples += 1
        self.name = "run%d" % Env.examples
        self.roots = (os.path.join(Env.mnt, self.name), os.path.join(Env.local, self.name))
        self.flagged = False
        for r in self.roots:
            os.mkdir(r)
            os.chmod(r, 0o777)
        root = USERS[0]
        for i, d in enumerate(["x", "x/y", "z"]):
            self.apply(root, 0, op_mkdir, d, dmodes[i])
            self.apply(root, 0, op_chown, d, owners[i][0], owners[i][1])
        for i, f in enumerate(["a", "b", "x/a", "x/y/a", "z/a"]):
            self.apply(root, 0, op_write, f, 0, 5000 * i, i, False, True)
            self.apply(root, 0, op_chown, f, owners[3 + i][0], owners[3 + i][1])
            self.apply(root, 0, op_chmod, f, fmodes[i])

    def apply(self, user, umask, fn, *args):
        Env.ops += 1
        t0 = time.monotonic()
        a = run_as(user, umask, fn, self.roots[0], False, args)
        t1 = time.monotonic()
        b = run_as(user, umask, fn, self.roots[1], True, args)
        t2 = time.monotonic()
        if os.environ.get("DIFF_PROFILE"):
            prof = PROF
            x = prof.setdefault(fn.__name__, [0, 0.0, 0.0, 0])
            x[0] += 1; x[1] += t1 - t0; x[2] += t2 - t1; x[3] += b[0] == "ok"
            ERRS[b[1] if b[0] == "err" else "ok"] = ERRS.get(b[1] if b[0] == "err" else "ok", 0) + 1
        if a != b and self.flagged and b == ("err", "EPERM") and a in KERNEL_FIRST:
            return a  # a kernel check before the flag check (see the module comment)
        assert a == b, "%s%r as uid %d umask %o: slicefs %r, tmpfs %r" % (
            fn.__name__, args, user[0], umask, a, b)
        return a

    @rule(u=users, p=paths, follow=st.booleans())
    def lstat_or_stat(self, u, p, follow):
        self.apply(u, 0o022, op_stat, p, follow)

    @rule(u=users, m=umasks, p=paths, acc=st.sampled_from(ACC),
          extra=st.lists(st.sampled_from(OPEN_EXTRA), max_size=3), mode=modes)
    def open(self, u, m, p, acc, extra, mode):
        flags = 0
        for f in extra:
            flags |= f
        self.apply(u, m, op_open, p, acc, flags, mode)

    @rule(u=users, m=umasks, p=paths, off=st.sampled_from(OFFSETS), size=st.sampled_from(SIZES),
          seed=st.integers(0, 3), append=st.booleans())
    def create_and_write(self, u, m, p, off, size, seed, append):
        self.apply(u, m, op_write, p, off, size, seed, append, True)

    @rule(u=users, p=paths, off=st.sampled_from(OFFSETS), size=st.sampled_from(SIZES),
          seed=st.integers(0, 3), append=st.booleans())
    def write(self, u, p, off, size, seed, append):
        self.apply(u, 0o022, op_write, p, off, size, seed, append, False)

    @rule(u=users, p=paths, off=st.sampled_from(OFFSETS), size=st.sampled_from(SIZES))
    def read(self, u, p, off, size):
        self.apply(u, 0o022, op_read, p, off, size)

    @rule(u=users, p=paths, size=st.sampled_from(OFFSETS + [7, 5000]), via_fd=st.booleans())
    def truncate(self, u, p, size, via_fd):
        self.apply(u, 0o022, op_truncate, p, size, via_fd)

    @rule(u=users, p=paths,
          mode=st.sampled_from([0, FALLOC_KEEP, FALLOC_PUNCH | FALLOC_KEEP, FALLOC_PUNCH, FALLOC_ZERO,
                                FALLOC_ZERO | FALLOC_KEEP, FALLOC_COLLAPSE, FALLOC_INSERT]),
          off=st.sampled_from(OFFSETS), size=st.sampled_from([0, 1, 4096, 10000, 1 << 20]))
    def fallocate(self, u, p, mode, off, size):
        self.apply(u, 0o022, op_fallocate, p, mode, off, size)

    @rule(u=users, src=paths, dst=paths, off_in=st.sampled_from(OFFSETS), off_out=st.sampled_from(OFFSETS),
          size=st.sampled_from(SIZES[1:]))
    def copy_file_range(self, u, src, dst, off_in, off_out, size):
        self.apply(u, 0o022, op_copy, src, dst, off_in, off_out, size)

    @rule(u=users, src=paths, dst=paths)
    def link(self, u, src, dst):
        self.apply(u, 0o022, op_link, src, dst)

    @rule(u=users, to=st.sampled_from(LINK_TARGETS), dst=paths)
    def symlink(self, u, to, dst):
        self.apply(u, 0o022, op_symlink, to, dst)

    @rule(u=users, p=paths)
    def readlink(self, u, p):
        self.apply(u, 0o022, op_readlink, p)

    @rule(u=users, src=paths, dst=paths, flags=st.sampled_from([0, 0, 1, 2, 3]))
    def rename(self, u, src, dst, flags):
        self.apply(u, 0o022, op_rename, src, dst, flags)

    @rule(u=users, m=umasks, p=paths, mode=modes)
    def mkdir(self, u, m, p, mode):
        self.apply(u, m, op_mkdir, p, mode)

    @rule(u=users, m=umasks, p=paths, mode=modes,
          kind=st.sampled_from([stat.S_IFREG, stat.S_IFREG, stat.S_IFREG, stat.S_IFIFO]))
    def mknod(self, u, m, p, mode, kind):
        self.apply(u, m, op_mknod, p, kind, mode)

    @rule(u=users, p=paths)
    def rmdir(self, u, p):
        self.apply(u, 0o022, op_rmdir, p)

    @rule(u=users, p=paths)
    def unlink(self, u, p):
        self.apply(u, 0o022, op_unlink, p)

    @rule(u=users, p=paths, mode=modes)
    def chmod(self, u, p, mode):
        self.apply(u, 0o022, op_chmod, p, mode)

    @rule(u=users, p=paths, uid=st.sampled_from([-1, 0, 1000, 1001, 1002]),
          gid=st.sampled_from([-1, 0, 1000, 1001, 1002]))
    def chown(self, u, p, uid, gid):
        self.apply(u, 0o022, op_chown, p, uid, gid)

    @rule(u=users, p=paths, explicit=st.booleans())
    def utime(self, u, p, explicit):
        self.apply(u, 0o022, op_utime, p, explicit)

    @rule(u=users, p=paths, name=st.sampled_from(["user.a", "user.b", "user.c"]), size=st.sampled_from(XSIZES),
          flags=st.sampled_from([0, 0, os.XATTR_CREATE, os.XATTR_REPLACE]))
    def setxattr(self, u, p, name, size, flags):
        self.apply(u, 0o022, op_setxattr, p, name, size, flags)

    @rule(u=users, p=paths, name=st.sampled_from(["user.a", "user.b"]))
    def getxattr(self, u, p, name):
        self.apply(u, 0o022, op_getxattr, p, name)

    @rule(u=users, p=paths)
    def listxattr(self, u, p):
        self.apply(u, 0o022, op_listxattr, p)

    @rule(u=users, p=paths, name=st.sampled_from(["user.a", "user.b"]))
    def removexattr(self, u, p, name):
        self.apply(u, 0o022, op_removexattr, p, name)

    @rule(u=users, p=st.sampled_from([""] + PATHS))
    def listdir(self, u, p):
        self.apply(u, 0o022, op_listdir, p)

    @rule(u=st.sampled_from([USERS[0], USERS[0], USERS[1]]), p=paths,
          flags=st.sampled_from([0, 0, FS_IMMUTABLE_FL, FS_APPEND_FL, FS_IMMUTABLE_FL | FS_APPEND_FL]))
    def chattr(self, u, p, flags):
        r = self.apply(u, 0o022, op_chattr, p, flags)
        if r[0] == "ok" and flags:
            self.flagged = True

    @rule(u=users, p=paths)
    def lsattr(self, u, p):
        self.apply(u, 0o022, op_lsattr, p)

    def teardown(self):
        if not hasattr(self, "roots"):
            return
        try:
            a, b = snapshot(self.roots[0]), snapshot(self.roots[1])
            if a != b:
                diff = ["%s: slicefs %r, tmpfs %r" % (k, a.get(k), b.get(k))
                        for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
                raise AssertionError("final trees differ:\n  " + "\n  ".join(diff[:20]))
        finally:
            for r in self.roots:
                clear_tree(r)


def sh(args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slicefs", required=True, help="path to the slicefs binary")
    ap.add_argument("--minutes", type=float, default=2.0, help="run rounds until this much time passed")
    ap.add_argument("--examples", type=int, default=25, help="examples per round (one round = one seed)")
    ap.add_argument("--steps", type=int, default=40, help="operations per example")
    ap.add_argument("--seed", type=int, default=None, help="seed of the first round (default: random)")
    ap.add_argument("--rounds", type=int, default=None, help="stop after this many rounds")
    ap.add_argument("--db", default=None, help="hypothesis example database (kept for replays)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("fs_differential: needs root (mounts and setresuid); run it as root", file=sys.stderr)
        return 2
    slicefs = os.path.abspath(args.slicefs)
    if not os.access(slicefs, os.X_OK):
        print("fs_differential: %s is not an executable slicefs binary; build first" % slicefs, file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    tmp = tempfile.mkdtemp(prefix="slicefs-diff-")
    os.chmod(tmp, 0o755)
    db = os.path.abspath(args.db or os.path.join(os.environ.get("TMPDIR", "/tmp"), "slicefs-diff-db"))
    Env.mnt, Env.local = os.path.join(tmp, "mnt"), os.path.join(tmp, "local")
    os.mkdir(Env.mnt)
    os.mkdir(Env.local)
    meta = "sqlite3://%s/meta.db" % tmp
    mounted_local = mounted_fs = False
    rc = 0
    try:
        sh(["mount", "-t", "tmpfs", "-o", "size=512m,mode=0777", "tmpfs", Env.local])
        mounted_local = True
        sh([slicefs, "format", meta, "diffvol", "--storage", "file", "--bucket", tmp + "/bucket",
            "--trash-days", "0"])
        sh([slicefs, "mount", "-d", meta, Env.mnt, "--log", tmp + "/mount.log", "--cache-dir", tmp + "/cache",
            "-o", "allow_other"])
        mounted_fs = True
        os.chmod(Env.mnt, 0o777)
        replay = "/usr/bin/python3 %s --slicefs %s --examples %d --steps %d --rounds 1 --db %s --seed" % (
            os.path.abspath(__file__), slicefs, args.examples, args.steps, db)
        print("fs_differential: seed %d, %d examples x %d steps per round, %.1f min, local side tmpfs, db %s"
              % (seed, args.examples, args.steps, args.minutes, db), flush=True)
        cfg = settings(max_examples=args.examples, stateful_step_count=args.steps, deadline=None,
                       database=DirectoryBasedExampleDatabase(db), print_blob=True,
                       suppress_health_check=list(HealthCheck))
        start = time.monotonic()
        rounds = 0
        while True:
            s = seed + rounds
            hypothesis.core.global_force_seed = s
            try:
                run_state_machine_as_test(FsMachine, settings=cfg)
            except Exception as e:
                # Hypothesis attaches the shrunk steps to the exception as notes.
                for note in getattr(e, "__notes__", []):
                    print(note)
                print("fs_differential: MISMATCH in round with seed %d: %s" % (s, e), flush=True)
                print("fs_differential: replay with: %s %d" % (replay, s), flush=True)
                rc = 1
                break
            rounds += 1
            print("fs_differential: round %d (seed %d) passed: %d examples, %d operations so far, %.0f s"
                  % (rounds, s, Env.examples, Env.ops, time.monotonic() - start), flush=True)
            if args.rounds is not None and rounds >= args.rounds:
                break
            if time.monotonic() - start > args.minutes * 60:
                break
        print("fs_differential: %d rounds (seeds %d..%d), %d examples, %d operations, %d mismatches, %.0f s"
              % (rounds + rc, seed, seed + rounds + rc - 1, Env.examples, Env.ops, rc, time.monotonic() - start))
        if os.environ.get("DIFF_PROFILE"):
            print("  results:", sorted(ERRS.items(), key=lambda kv: -kv[1]))
            for k, v in sorted(PROF.items(), key=lambda kv: -kv[1][1]):
                print("  %-14s %5d ops (%5d ok)  slicefs %.1f s  tmpfs %.1f s" % (k, v[0], v[3], v[1], v[2]))
    except subprocess.CalledProcessError as e:
        print("fs_differential: setup failed: %s\n%s" % (" ".join(e.cmd), e.stdout), file=sys.stderr)
        rc = 2
    finally:
        if mounted_fs:
            subprocess.run(["fusermount3", "-u", Env.mnt])
            for _ in range(100):  # the mount process exits after the unmount
                if not os.path.ismount(Env.mnt):
                    break
                time.sleep(0.1)
        if mounted_local:
            subprocess.run(["umount", Env.local])
        if rc == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("fs_differential: kept %s (mount log: %s/mount.log)" % (tmp, tmp))
    return rc


if __name__ == "__main__":
    sys.exit(main())
