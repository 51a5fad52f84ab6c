#include "meta/meta_impl.h"
#include "meta/xattr_rules.h"

namespace slicefs {

Status MetaImpl::RemoveXattr(const Ctx& ctx, Ino ino, std::string_view name) {
  META_TRY(CheckWritable());
  META_TRY(CheckXattrName(name));
  const int64_t now = NowNs();
  return kv_->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    META_TRY(CheckXattrAccess(tx, ctx, a, name, true));
    if (acl::IsAclXattr(name)) {
      META_TRY(RemoveAclXattr(tx, ctx, a, name));
      a.ctimeNs = now;
      SaveAttr(tx, ino, a);
      return Status::OK();
    }
    std::string key = keys::Xattr(ino, name);
    ASSIGN_OR_RETURN(auto old, tx.get(key));
    if (!old) return Status::Error(ENODATA, "no such xattr");
    tx.del(key);
    a.ctimeNs = now;
    SaveAttr(tx, ino, a);
    return Status::OK();
  });
}

}  // namespace slicefs
