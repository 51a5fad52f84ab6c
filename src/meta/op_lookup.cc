#include <unistd.h>

#include "meta/meta_impl.h"

namespace slicefs {

Result<Entry> MetaImpl::Lookup(const Ctx& ctx, Ino parent, std::string_view name) {
  if (name.size() > kMaxNameLen) return Err(ENAMETOOLONG, "name longer than 255 bytes");
  if (name.empty()) return Err(ENOENT, "empty name");
  Entry out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr pa, MustAttr(tx, parent));
    if (pa.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    META_TRY(CheckAccess(tx, ctx, pa, X_OK));
    Ino child;
    if (name == ".") {
      child = parent;
    } else if (name == "..") {
      child = parent == kRootIno ? kRootIno : pa.parent;
    } else if (parent == kRootIno && name == ".trash") {
      child = kTrashIno;
    } else {
      ASSIGN_OR_RETURN(auto e, LoadEntry(tx, parent, name));
      if (!e) return Status::Error(ENOENT, "no such entry");
      child = e->ino;
    }
    ASSIGN_OR_RETURN(auto a, LoadAttr(tx, child));
    if (!a) return Status::Error(ENOENT, "entry points to a missing inode");
    out = Entry{child, *a};
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
