// SetAttr: chmod, chown, utimes with Linux permission rules.
#include <sys/stat.h>
#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<Attr> MetaImpl::SetAttr(const Ctx& ctx, Ino ino, uint32_t toSet, const Attr& in) {
  META_TRY(CheckWritable());
  int64_t now = NowNs();
  Attr out;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    const bool owner = ctx.isRoot() || ctx.uid == a.uid;
    Attr n = a;
    // Linux's may_setattr: flags forbid chmod/chown/explicit times, and an
    // immutable inode refuses even "touch".
    if (toSet & (kSetMode | kSetUid | kSetGid | kSetAtime | kSetMtime)) META_TRY(CheckNotFlagged(a, "setattr"));
    if ((toSet & (kSetAtimeNow | kSetMtimeNow)) && (a.flags & kAttrImmutable))
      return Status::Error(EPERM, "inode is immutable");
    if (toSet & kSetFlags) {
      META_TRY(CheckSetFlags(ctx, a, in.flags));
      n.flags = in.flags;
    }
    if (toSet & (kSetUid | kSetGid)) {
      if ((toSet & kSetUid) && !ctx.isRoot() && !(ctx.uid == a.uid && in.uid == a.uid))
        return Status::Error(EPERM, "only root may change the owner");
      if ((toSet & kSetGid) && !ctx.isRoot() &&
          !(ctx.uid == a.uid && (in.gid == a.gid || ctx.inGroup(in.gid))))
        return Status::Error(EPERM, "not allowed to change the group");
      if (toSet & kSetUid) n.uid = in.uid;
      if (toSet & kSetGid) n.gid = in.gid;
      if (n.type != FileType::kDir) {  // chown clears set-id bits, as Linux does
        n.mode &= ~static_cast<uint32_t>(S_ISUID);
        if (n.mode & S_IXGRP) n.mode &= ~static_cast<uint32_t>(S_ISGID);
      }
    }
    if (toSet & kSetMode) {
      if (!owner) return Status::Error(EPERM, "only the owner may change the mode");
      uint32_t mode = in.mode & 07777;
      if (!ctx.isRoot() && !ctx.inGroup(n.gid)) mode &= ~static_cast<uint32_t>(S_ISGID);
      n.mode = mode;
    }
    if (toSet & (kSetAtime | kSetMtime)) {
      if (!owner) return Status::Error(EPERM, "only the owner may set explicit times");
    } else if (toSet & (kSetAtimeNow | kSetMtimeNow)) {
      if (!owner && !CheckAccess(tx, ctx, a, W_OK).ok())
        return Status::Error(EACCES, "no write permission to touch the times");
    }
    if (toSet & kSetAtime) n.atimeNs = in.atimeNs;
    else if (toSet & kSetAtimeNow) n.atimeNs = now;
    if (toSet & kSetMtime) n.mtimeNs = in.mtimeNs;
    else if (toSet & kSetMtimeNow) n.mtimeNs = now;
    if (toSet & kSetCtime) {
      n.ctimeNs = in.ctimeNs;
    } else if (toSet != 0) {
      n.ctimeNs = now;
    }
    if (n != a) SaveAttr(tx, ino, n);
    out = n;
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
