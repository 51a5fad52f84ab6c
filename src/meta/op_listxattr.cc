#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<std::vector<std::string>> MetaImpl::ListXattr(const Ctx& ctx, Ino ino) {
  std::vector<std::string> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    (void)a;
    const std::string prefix = keys::XattrPrefix(ino);
    std::string begin = prefix;
    size_t total = 0;
    for (;;) {
      ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, PrefixEnd(prefix), 1000));
      for (auto& kv : kvs) {
        auto name = keys::XattrName(kv.key);
        if (!name) continue;
        if (name->starts_with("trusted.") && !ctx.isRoot()) continue;
        total += name->size() + 1;
        if (total > kMaxXattrValueLen) return Status::Error(E2BIG, "xattr name list larger than 64 KiB");
        out.emplace_back(*name);
      }
      if (kvs.size() < 1000) break;
      begin = kvs.back().key + '\0';
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
