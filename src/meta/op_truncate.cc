#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<Attr> MetaImpl::Truncate(const Ctx& ctx, Ino ino, uint64_t length, bool checkPerm) {
  META_TRY(CheckWritable());
  if (length > (1ULL << 62)) return Err(EFBIG, "file too large");
  const int64_t now = NowNs();
  Attr out;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type == FileType::kDir) return Status::Error(EISDIR, "is a directory");
    if (a.type != FileType::kFile) return Status::Invalid("not a regular file");
    if (checkPerm) META_TRY(CheckAccess(tx, ctx, a, W_OK));
    META_TRY(CheckNotFlagged(a, "truncate"));
    Attr n = a;
    n.length = length;
    META_TRY(ChargeResize(tx, ino, a, n, fx, true));
    if (length < a.length) META_TRY(CutChunksAfter(tx, ino, length, fx));
    n.mtimeNs = n.ctimeNs = now;
    SaveAttr(tx, ino, n);
    out = n;
    return Status::OK();
  }));
  Apply(fx);
  return out;
}

}  // namespace slicefs
