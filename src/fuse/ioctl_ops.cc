// FUSE ioctl callback: the inode flags of chattr/lsattr. The kernel turns
// FS_IOC_GETFLAGS/SETFLAGS (and FS_IOC_FSGETXATTR/FSSETXATTR) on a FUSE
// file or directory into FUSE_IOCTL requests on a handle it opens itself
// read-only, with a 4-byte flags word (struct fsxattr for the xattr pair);
// directories need FUSE_CAP_IOCTL_DIR. Only the immutable and append-only
// flags exist (Attr::flags); others read as 0 and setting them fails
// EOPNOTSUPP, as tmpfs does. Other ioctls: ENOTTY.
#include <linux/fs.h>

#include <cstring>

#include "fuse/fuse_internal.h"

namespace slicefs::fusead {
namespace {

uint32_t ToFsFlags(uint8_t f) {
  return ((f & kAttrImmutable) ? FS_IMMUTABLE_FL : 0) | ((f & kAttrAppend) ? FS_APPEND_FL : 0);
}
uint32_t ToXflags(uint8_t f) {
  return ((f & kAttrImmutable) ? FS_XFLAG_IMMUTABLE : 0) | ((f & kAttrAppend) ? FS_XFLAG_APPEND : 0);
}
// nullopt when a bit slicefs does not keep is set.
std::optional<uint8_t> FromBits(uint32_t bits, uint32_t immutable, uint32_t append) {
  if (bits & ~(immutable | append)) return std::nullopt;
  return static_cast<uint8_t>(((bits & immutable) ? kAttrImmutable : 0) | ((bits & append) ? kAttrAppend : 0));
}

void SetFlags(fuse_req_t req, fuse_ino_t ino, std::optional<uint8_t> flags) {
  if (!flags) return ReplyErrno(req, EOPNOTSUPP);
  Attr in;
  in.flags = *flags;
  auto r = V(req).SetAttr(MakeCtx(req), ino, kSetFlags, in, std::nullopt, 0);
  if (!r) return ReplyErr(req, r.error());
  fuse_reply_ioctl(req, 0, nullptr, 0);
}

void Ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* /*arg*/, fuse_file_info* /*fi*/,
           unsigned flags, const void* inBuf, size_t inSize, size_t outSize) {
  if (flags & FUSE_IOCTL_COMPAT) return ReplyErrno(req, ENOTTY);
  switch (cmd) {
    case FS_IOC_GETFLAGS:
    case FS_IOC_FSGETXATTR: {
      auto a = V(req).GetAttr(MakeCtx(req), ino);
      if (!a) return ReplyErr(req, a.error());
      if (cmd == FS_IOC_GETFLAGS) {
        uint32_t v = ToFsFlags(a->flags);
        if (outSize < sizeof(v)) return ReplyErrno(req, EINVAL);
        return (void)fuse_reply_ioctl(req, 0, &v, sizeof(v));
      }
      struct fsxattr x;
      std::memset(&x, 0, sizeof(x));
      x.fsx_xflags = ToXflags(a->flags);
      if (outSize < sizeof(x)) return ReplyErrno(req, EINVAL);
      return (void)fuse_reply_ioctl(req, 0, &x, sizeof(x));
    }
    case FS_IOC_SETFLAGS: {
      uint32_t v = 0;
      if (inSize < sizeof(v)) return ReplyErrno(req, EINVAL);
      std::memcpy(&v, inBuf, sizeof(v));
      return SetFlags(req, ino, FromBits(v, FS_IMMUTABLE_FL, FS_APPEND_FL));
    }
    case FS_IOC_FSSETXATTR: {
      struct fsxattr x;
      if (inSize < sizeof(x)) return ReplyErrno(req, EINVAL);
      std::memcpy(&x, inBuf, sizeof(x));
      if (x.fsx_extsize != 0 || x.fsx_projid != 0 || x.fsx_cowextsize != 0) return ReplyErrno(req, EOPNOTSUPP);
      return SetFlags(req, ino, FromBits(x.fsx_xflags, FS_XFLAG_IMMUTABLE, FS_XFLAG_APPEND));
    }
    default:
      return ReplyErrno(req, ENOTTY);
  }
}

}  // namespace

void AddIoctlOps(fuse_lowlevel_ops& ops) { ops.ioctl = Ioctl; }

}  // namespace slicefs::fusead
