#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<std::vector<std::string>> MetaImpl::ListXattr(const Ctx& ctx, Ino ino) {
  std::vector<std::string> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    size_t total = 0;
    if (a.accessAcl) out.emplace_back(acl::kAccessXattr);
    if (a.defaultAcl) out.emplace_back(acl::kDefaultXattr);
    for (const auto& n : out) total += n.size() + 1;
    return ScanPrefix(tx, keys::XattrPrefix(ino), 1000, [&](const KeyValue& kv) -> Status {
      auto name = keys::XattrName(kv.key);
      if (!name) return Status::OK();
      if (name->starts_with("trusted.") && !ctx.isRoot()) return Status::OK();
      if (acl::IsAclXattr(*name)) return Status::OK();  // old clients stored them as plain xattrs
      total += name->size() + 1;
      if (total > kMaxXattrValueLen) return Status::Error(E2BIG, "xattr name list larger than 64 KiB");
      out.emplace_back(*name);
      return Status::OK();
    });
  }));
  return out;
}

}  // namespace slicefs
