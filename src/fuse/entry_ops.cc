// FUSE callbacks for names and attributes: lookup, getattr, setattr, mknod,
// mkdir, unlink, rmdir, symlink, readlink, rename, link, access, statfs.
#include <sys/statvfs.h>

#include "fuse/fuse_internal.h"

namespace slicefs::fusead {
namespace {

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto e = V(req).Lookup(MakeCtx(req), parent, name);
  if (!e && e.error().is(ENOENT) && Fs(req).opts.negativeEntryTimeout > 0) {
    // A negative entry (ino 0): the kernel remembers the name is absent.
    fuse_entry_param p = {};
    p.entry_timeout = Fs(req).opts.negativeEntryTimeout;
    fuse_reply_entry(req, &p);
    return;
  }
  if (!e) return ReplyErr(req, e.error());
  ReplyEntry(req, *e);
}

// Inode numbers are persistent, so the kernel's lookup counts need no
// bookkeeping here.
void Forget(fuse_req_t req, fuse_ino_t, uint64_t) { fuse_reply_none(req); }
void ForgetMulti(fuse_req_t req, size_t, fuse_forget_data*) { fuse_reply_none(req); }

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  auto a = V(req).GetAttr(MakeCtx(req), ino);
  if (!a) return ReplyErr(req, a.error());
  ReplyAttr(req, ino, *a);
}

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info* fi) {
  uint32_t mask = 0;
  Attr in;
  if (toSet & FUSE_SET_ATTR_MODE) mask |= kSetMode, in.mode = attr->st_mode & 07777;
  if (toSet & FUSE_SET_ATTR_UID) mask |= kSetUid, in.uid = attr->st_uid;
  if (toSet & FUSE_SET_ATTR_GID) mask |= kSetGid, in.gid = attr->st_gid;
  if (toSet & FUSE_SET_ATTR_ATIME_NOW) {
    mask |= kSetAtimeNow;
  } else if (toSet & FUSE_SET_ATTR_ATIME) {
    mask |= kSetAtime;
    in.atimeNs = attr->st_atim.tv_sec * 1000000000LL + attr->st_atim.tv_nsec;
  }
  if (toSet & FUSE_SET_ATTR_MTIME_NOW) {
    mask |= kSetMtimeNow;
  } else if (toSet & FUSE_SET_ATTR_MTIME) {
    mask |= kSetMtime;
    in.mtimeNs = attr->st_mtim.tv_sec * 1000000000LL + attr->st_mtim.tv_nsec;
  }
  if (toSet & FUSE_SET_ATTR_CTIME) {
    mask |= kSetCtime;
    in.ctimeNs = attr->st_ctim.tv_sec * 1000000000LL + attr->st_ctim.tv_nsec;
  }
  std::optional<uint64_t> size;
  if (toSet & FUSE_SET_ATTR_SIZE) {
    if (attr->st_size < 0) return ReplyErrno(req, EINVAL);
    size = static_cast<uint64_t>(attr->st_size);
  }
  auto a = V(req).SetAttr(MakeCtx(req), ino, mask, in, size, fi ? fi->fh : 0);
  if (!a) return ReplyErr(req, a.error());
  ReplyAttr(req, ino, *a);
}

void Readlink(fuse_req_t req, fuse_ino_t ino) {
  auto t = V(req).Readlink(MakeCtx(req), ino);
  if (!t) return ReplyErr(req, t.error());
  fuse_reply_readlink(req, t->c_str());
}

void Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  auto e = V(req).Mknod(MakeCtx(req), parent, name, mode, Umask(req), static_cast<uint32_t>(rdev));
  if (!e) return ReplyErr(req, e.error());
  ReplyEntry(req, *e);
}

void Mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  auto e = V(req).Mkdir(MakeCtx(req), parent, name, mode, Umask(req));
  if (!e) return ReplyErr(req, e.error());
  ReplyEntry(req, *e);
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyErr(req, V(req).Unlink(MakeCtx(req), parent, name));
}

void Rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyErr(req, V(req).Rmdir(MakeCtx(req), parent, name));
}

void Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  auto e = V(req).Symlink(MakeCtx(req), parent, name, target);
  if (!e) return ReplyErr(req, e.error());
  ReplyEntry(req, *e);
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
            const char* newname, unsigned int flags) {
  ReplyErr(req, V(req).Rename(MakeCtx(req), parent, name, newparent, newname, flags));
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  auto e = V(req).Link(MakeCtx(req), ino, newparent, newname);
  if (!e) return ReplyErr(req, e.error());
  ReplyEntry(req, *e);
}

void Access(fuse_req_t req, fuse_ino_t ino, int mask) {
  ReplyErr(req, V(req).Access(MakeCtx(req), ino, mask));
}

void StatFs(fuse_req_t req, fuse_ino_t ino) {
  auto s = V(req).StatFs(MakeCtx(req), ino);
  if (!s) return ReplyErr(req, s.error());
  struct statvfs st = {};
  constexpr uint64_t kBlock = 4096;
  st.f_bsize = 1 << 16;
  st.f_frsize = kBlock;
  st.f_blocks = s->totalSpace / kBlock;
  st.f_bfree = s->availSpace / kBlock;
  st.f_bavail = st.f_bfree;
  st.f_files = s->usedInodes + s->availInodes;
  st.f_ffree = s->availInodes;
  st.f_favail = s->availInodes;
  st.f_namemax = kMaxNameLen;
  fuse_reply_statfs(req, &st);
}

}  // namespace

void AddEntryOps(fuse_lowlevel_ops& ops) {
  ops.lookup = Lookup;
  ops.forget = Forget;
  ops.forget_multi = ForgetMulti;
  ops.getattr = GetAttr;
  ops.setattr = SetAttr;
  ops.readlink = Readlink;
  ops.mknod = Mknod;
  ops.mkdir = Mkdir;
  ops.unlink = Unlink;
  ops.rmdir = Rmdir;
  ops.symlink = Symlink;
  ops.rename = Rename;
  ops.link = Link;
  ops.access = Access;
  ops.statfs = StatFs;
}

}  // namespace slicefs::fusead
