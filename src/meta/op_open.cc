// Open and Close: permission checks and the open-file registry that keeps
// an unlinked file alive until its last Close in this client.
#include <fcntl.h>
#include <unistd.h>

#include "meta/meta_impl.h"

namespace slicefs {

Result<Attr> MetaImpl::Open(const Ctx& ctx, Ino ino, int flags) {
  Attr a;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(a, MustAttr(tx, ino));
    return Status::OK();
  }));
  int acc = flags & O_ACCMODE;
  bool wantsWrite = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC);
  if (a.type == FileType::kDir && wantsWrite) return Err(EISDIR, "cannot open a directory for writing");
  if (wantsWrite && opts_.readOnly) return Err(EROFS, "volume is mounted read-only");
  int mask = acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK : (R_OK | W_OK);
  if (flags & O_TRUNC) mask |= W_OK;
  META_TRY(CheckAccess(ctx, a, mask));
  RegisterOpen(ino);
  return a;
}

Status MetaImpl::Close(Ino ino) {
  bool release = false;
  {
    std::lock_guard lk(openMu_);
    auto it = openCount_.find(ino);
    if (it == openCount_.end()) return Status::OK();
    if (--it->second <= 0) {
      openCount_.erase(it);
      release = openUnlinked_.erase(ino) > 0;
    }
  }
  if (!release) return Status::OK();
  return ReleaseOpenUnlinked(sid_.load(), ino);
}

Status MetaImpl::ReleaseOpenUnlinked(uint64_t sid, Ino ino) {
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    tx.del(keys::SessionFile(sid, ino));
    ASSIGN_OR_RETURN(auto a, LoadAttr(tx, ino));
    if (a && a->nlink == 0) return DestroyInode(tx, ino, *a, fx);
    return Status::OK();
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
