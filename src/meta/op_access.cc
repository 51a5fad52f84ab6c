#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::Access(const Ctx& ctx, Ino ino, int mask) {
  if ((mask & 2) && opts_.readOnly) {
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
      (void)a;
      return Status::OK();
    }));
    return Status::Error(EROFS, "volume is mounted read-only");
  }
  return kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    return CheckAccess(tx, ctx, a, mask);
  });
}

}  // namespace slicefs
