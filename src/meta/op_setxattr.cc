#include "meta/meta_impl.h"
#include "meta/xattr_rules.h"

namespace slicefs {

Status MetaImpl::SetXattr(const Ctx& ctx, Ino ino, std::string_view name, std::string_view value, int flags) {
  META_TRY(CheckWritable());
  if (flags & ~(kXattrCreate | kXattrReplace)) return Status::Invalid("unknown xattr flags");
  if ((flags & kXattrCreate) && (flags & kXattrReplace)) return Status::Invalid("XATTR_CREATE with XATTR_REPLACE");
  META_TRY(CheckXattrName(name));
  if (value.size() > kMaxXattrValueLen) return Status::Error(E2BIG, "xattr value larger than 64 KiB");
  const int64_t now = NowNs();
  return kv_->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    META_TRY(CheckXattrAccess(tx, ctx, a, name, true));
    if (acl::IsAclXattr(name)) {
      META_TRY(SetAclXattr(tx, ctx, a, name, value, flags));
      a.ctimeNs = now;
      SaveAttr(tx, ino, a);
      return Status::OK();
    }
    std::string key = keys::Xattr(ino, name);
    ASSIGN_OR_RETURN(auto old, tx.get(key));
    if (old && (flags & kXattrCreate)) return Status::Error(EEXIST, "xattr exists");
    if (!old && (flags & kXattrReplace)) return Status::Error(ENODATA, "no such xattr");
    tx.put(key, value);
    a.ctimeNs = now;
    SaveAttr(tx, ino, a);
    return Status::OK();
  });
}

}  // namespace slicefs
