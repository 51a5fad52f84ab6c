#include "meta/meta_impl.h"

namespace slicefs {

Result<std::string> MetaImpl::Readlink(const Ctx& ctx, Ino ino) {
  std::string out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type != FileType::kSymlink) return Status::Invalid("not a symlink");
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Symlink(ino)));
    if (!v) return Status::IOError("symlink target missing");
    out = *v;
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
