#include "meta/meta_impl.h"

namespace slicefs {

Result<Attr> MetaImpl::GetAttr(const Ctx& ctx, Ino ino) {
  Attr out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(out, MustAttr(tx, ino));
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
