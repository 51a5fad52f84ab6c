// Open and Close: permission checks and the open-file registry. Within a
// session the first open of a regular file records SS{sid}{ino} in the same
// transaction as the checks (so an unlink anywhere keeps the inode alive);
// further opens only count handles in memory. The last close removes the
// record: at once when the file has no link left (and then destroys it
// unless another session holds it), otherwise in a batch a moment later
// (FlushClosedFiles, run by the background thread), which makes close cheap
// and a quick reopen free. Clients without a session keep the old local
// scheme: only an unlink of a file open here writes SS{0}{ino}.
#include <fcntl.h>
#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<Attr> MetaImpl::Open(const Ctx& ctx, Ino ino, int flags) {
  int acc = flags & O_ACCMODE;
  bool wantsWrite = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC);
  int mask = acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK : (R_OK | W_OK);
  if (flags & O_TRUNC) mask |= W_OK;
  Attr a;
  auto check = [&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(a, MustAttr(tx, ino));
    if (a.type == FileType::kDir && wantsWrite) return Status::Error(EISDIR, "cannot open a directory for writing");
    if (wantsWrite && opts_.readOnly) return Status::Error(EROFS, "volume is mounted read-only");
    META_TRY(CheckAccess(tx, ctx, a, mask));
    return wantsWrite ? CheckFlagsAllowOpen(a, flags) : Status::OK();
  };
  auto readOnlyOpen = [&](bool reserved) -> Result<Attr> {
    Status st = kv_->readOnly(check);
    if (!st.ok()) {
      if (reserved) (void)Close(ino);
      return Err(st);
    }
    if (!reserved) RegisterOpen(ino);
    return a;
  };
  // Already recorded in this session: take a handle first so that a
  // concurrent last close keeps the record, then check.
  if (ReserveRecorded(ino)) return readOnlyOpen(true);
  const uint64_t sid = session_.id();
  if (sid == 0) return readOnlyOpen(false);
  std::lock_guard stripe(open_.Stripe(ino));
  if (ReserveRecorded(ino)) return readOnlyOpen(true);
  bool recorded = false;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    recorded = false;
    META_TRY(check(tx));
    if (a.type != FileType::kFile) return Status::OK();
    tx.put(keys::SessionFile(sid, ino), "");
    recorded = true;
    return Status::OK();
  }));
  RegisterOpen(ino, recorded);
  return a;
}

Status MetaImpl::Close(Ino ino) {
  switch (open_.Close(ino)) {
    case OpenFileTable::CloseOutcome::kNotOpen:
    case OpenFileTable::CloseOutcome::kStillOpen:
    case OpenFileTable::CloseOutcome::kClosedLocal:
      return Status::OK();
    case OpenFileTable::CloseOutcome::kClosedUnlinked:
      return ReleaseHolds(0, {ino}, false);
    case OpenFileTable::CloseOutcome::kClosedRecorded:
      break;
  }
  // Last close of a recorded file: release at once if it lost its links
  // (its data should go now), else leave it to the batch.
  std::optional<Attr> a;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(a, LoadAttr(tx, ino));
    return Status::OK();
  }));
  if (a && a->nlink > 0) return Status::OK();
  return FinishClosed({ino});
}

}  // namespace slicefs
