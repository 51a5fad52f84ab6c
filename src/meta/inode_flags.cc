#include "meta/inode_flags.h"

#include <fcntl.h>

namespace slicefs {

Status CheckNotFlagged(const Attr& a, const char* what) {
  if (a.flags & kAttrImmutable) return Status::Error(EPERM, std::string(what) + ": inode is immutable");
  if (a.flags & kAttrAppend) return Status::Error(EPERM, std::string(what) + ": inode is append-only");
  return Status::OK();
}

Status CheckFlagsAllowDelete(const Attr& dir, const Attr& child) {
  if (dir.flags & kAttrAppend) return Status::Error(EPERM, "directory is append-only");
  return CheckNotFlagged(child, "remove or rename");
}

Status CheckFlagsAllowOpen(const Attr& a, int openFlags) {
  if (!(a.flags & kAttrAppend)) return Status::OK();
  if (openFlags & O_TRUNC) return Status::Error(EPERM, "append-only file cannot be truncated");
  if ((openFlags & O_ACCMODE) != O_RDONLY && !(openFlags & O_APPEND))
    return Status::Error(EPERM, "append-only file opened for write without O_APPEND");
  return Status::OK();
}

Status CheckSetFlags(const Ctx& ctx, const Attr& a, uint32_t want) {
  if (want & ~uint32_t(kAttrFlagsKnown)) return Status::Error(EOPNOTSUPP, "unsupported inode flag");
  if (!ctx.isRoot() && ctx.uid != a.uid) return Status::Error(EPERM, "only the owner may set inode flags");
  if (((want ^ a.flags) & kAttrFlagsKnown) && !ctx.isRoot())
    return Status::Error(EPERM, "only root may change the immutable/append-only flags");
  return Status::OK();
}

}  // namespace slicefs
