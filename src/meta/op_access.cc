#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::Access(const Ctx& ctx, Ino ino, int mask) {
  Attr a;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(a, MustAttr(tx, ino));
    return Status::OK();
  }));
  if ((mask & 2) && opts_.readOnly) return Status::Error(EROFS, "volume is mounted read-only");
  return CheckAccess(ctx, a, mask);
}

}  // namespace slicefs
