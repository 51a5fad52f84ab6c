// Vfs: attributes and namespace operations (thin over Meta, merging this
// client's buffered writes into what it returns).
#include <sys/stat.h>

#include "vfs/vfs.h"

namespace slicefs {

Result<StatFsInfo> Vfs::StatFs(const Ctx& ctx, Ino ino) { return meta_->StatFs(ctx, ino); }

Result<Entry> Vfs::Lookup(const Ctx& ctx, Ino parent, std::string_view name) {
  ASSIGN_OR_RETURN(Entry e, meta_->Lookup(ctx, parent, name));
  e.attr = Merge(e.ino, e.attr);
  return e;
}

Result<Attr> Vfs::GetAttr(const Ctx& ctx, Ino ino) {
  ASSIGN_OR_RETURN(Attr a, meta_->GetAttr(ctx, ino));
  return Merge(ino, a);
}

Result<Attr> Vfs::SetAttr(const Ctx& ctx, Ino ino, uint32_t toSet, const Attr& in,
                          std::optional<uint64_t> size, uint64_t fh) {
  if (size) {
    // Buffered writes must land before the length changes, or a later
    // commit would resurrect truncated bytes.
    if (Status st = data_->Flush(ino); !st.ok()) return Err(st);
    ASSIGN_OR_RETURN(Attr a, meta_->Truncate(ctx, ino, *size, /*checkPerm=*/fh == 0));
    data_->Invalidate(ino);
    NoteLength(ino, a.length);
    if (toSet == 0) return Merge(ino, a);
  }
  if (toSet == 0) return GetAttr(ctx, ino);
  const Ctx* who = &ctx;
  Ctx root = Ctx::Root();
  if ((toSet & ~kSetCtime) == kSetMode && !ctx.isRoot()) {
    // The kernel clears suid/sgid after a write or truncate by someone who
    // is not the owner (FUSE does not forward its ATTR_FORCE). Dropping
    // those bits is always allowed.
    ASSIGN_OR_RETURN(Attr cur, meta_->GetAttr(ctx, ino));
    if ((cur.mode & (S_ISUID | S_ISGID)) != 0 && in.mode == (cur.mode & ~uint32_t(S_ISUID | S_ISGID))) {
      who = &root;
    }
  }
  ASSIGN_OR_RETURN(Attr a, meta_->SetAttr(*who, ino, toSet, in));
  return Merge(ino, a);
}

Result<Entry> Vfs::Mknod(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                         uint32_t cumask, uint32_t rdev) {
  return meta_->Mknod(ctx, parent, name, mode, cumask, rdev);
}

Result<Entry> Vfs::Mkdir(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                         uint32_t cumask) {
  return meta_->Mkdir(ctx, parent, name, mode, cumask);
}

Result<Entry> Vfs::Symlink(const Ctx& ctx, Ino parent, std::string_view name,
                           std::string_view target) {
  return meta_->Symlink(ctx, parent, name, target);
}

Result<Entry> Vfs::Link(const Ctx& ctx, Ino ino, Ino newParent, std::string_view newName) {
  ASSIGN_OR_RETURN(Entry e, meta_->Link(ctx, ino, newParent, newName));
  e.attr = Merge(e.ino, e.attr);
  return e;
}

Result<std::string> Vfs::Readlink(const Ctx& ctx, Ino ino) { return meta_->Readlink(ctx, ino); }

Status Vfs::Unlink(const Ctx& ctx, Ino parent, std::string_view name) {
  return meta_->Unlink(ctx, parent, name);
}

Status Vfs::Rmdir(const Ctx& ctx, Ino parent, std::string_view name) {
  return meta_->Rmdir(ctx, parent, name);
}

Status Vfs::Rename(const Ctx& ctx, Ino srcParent, std::string_view srcName, Ino dstParent,
                   std::string_view dstName, uint32_t flags) {
  if (flags & ~(kRenameNoReplace | kRenameExchange)) return Status::Error(EINVAL, "rename flags");
  if ((flags & kRenameNoReplace) && (flags & kRenameExchange)) {
    return Status::Error(EINVAL, "RENAME_NOREPLACE with RENAME_EXCHANGE");
  }
  return meta_->Rename(ctx, srcParent, srcName, dstParent, dstName, flags);
}

Status Vfs::Access(const Ctx& ctx, Ino ino, int mask) { return meta_->Access(ctx, ino, mask); }

}  // namespace slicefs
