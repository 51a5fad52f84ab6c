#include "meta/meta_impl.h"
#include "meta/xattr_rules.h"

namespace slicefs {

Result<std::string> MetaImpl::GetXattr(const Ctx& ctx, Ino ino, std::string_view name) {
  META_TRY(CheckXattrName(name));
  std::string out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    META_TRY(CheckXattrAccess(tx, ctx, a, name, false));
    if (acl::IsAclXattr(name)) {
      ASSIGN_OR_RETURN(out, GetAclXattr(tx, a, name));
      return Status::OK();
    }
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Xattr(ino, name)));
    if (!v) return Status::Error(ENODATA, "no such xattr");
    out = std::move(*v);
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
