#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::Rmdir(const Ctx& ctx, Ino parent, std::string_view name) {
  META_TRY(CheckWritable());
  if (name.size() > kMaxNameLen) return Status::Error(ENAMETOOLONG, "name longer than 255 bytes");
  if (name.empty()) return Status::Error(ENOENT, "empty name");
  if (name == ".") return Status::Invalid("cannot remove .");
  if (name == "..") return Status::Error(ENOTEMPTY, "cannot remove ..");
  if (parent == kRootIno && name == ".trash") return Status::Error(EPERM, ".trash cannot be removed");
  const int64_t now = NowNs();
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr pa, MustAttr(tx, parent));
    if (pa.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    META_TRY(CheckAccess(tx, ctx, pa, X_OK));
    ASSIGN_OR_RETURN(auto e, LoadEntry(tx, parent, name));
    if (!e) return Status::Error(ENOENT, "no such entry");
    META_TRY(CheckAccess(tx, ctx, pa, W_OK | X_OK));
    ASSIGN_OR_RETURN(Attr child, MustAttr(tx, e->ino));
    META_TRY(CheckSticky(ctx, pa, child));
    META_TRY(CheckFlagsAllowDelete(pa, child));
    if (child.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    ASSIGN_OR_RETURN(bool empty, DirIsEmpty(tx, e->ino));
    if (!empty) return Status::Error(ENOTEMPTY, "directory not empty");
    META_TRY(DropLink(tx, parent, name, e->ino, child, now, fx));
    pa.nlink--;
    pa.mtimeNs = pa.ctimeNs = now;
    SaveAttr(tx, parent, pa);
    return Status::OK();
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
