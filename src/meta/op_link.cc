#include <unistd.h>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<Entry> MetaImpl::Link(const Ctx& ctx, Ino ino, Ino newParent, std::string_view newName) {
  META_TRY(CheckWritable());
  META_TRY(CheckName(newName));
  if (newParent == kRootIno && newName == ".trash") return Err(EEXIST, ".trash is reserved");
  const int64_t now = NowNs();
  Entry out;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type == FileType::kDir) return Status::Error(EPERM, "cannot hard-link a directory");
    if (a.nlink == 0) return Status::Error(ENOENT, "file was unlinked");
    ASSIGN_OR_RETURN(Attr pa, MustAttr(tx, newParent));
    if (pa.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    META_TRY(CheckAccess(tx, ctx, pa, X_OK));
    ASSIGN_OR_RETURN(auto e, LoadEntry(tx, newParent, newName));
    if (e) return Status::Error(EEXIST, "name exists");
    META_TRY(CheckAccess(tx, ctx, pa, W_OK | X_OK));
    META_TRY(CheckNotFlagged(a, "link"));
    // Each link counts in its directory's stats and quotas (tree_stats.h).
    META_TRY(CheckQuota(newParent, SpaceOf(a), 1, &tx));
    fx.Dir(newParent, StatOf(a));
    tx.put(keys::Entry(newParent, newName), EncodeEntry(a.type, ino));
    auto bump = [&](Ino p, int64_t by) -> Status {
      std::string k = keys::Parent(ino, p);
      ASSIGN_OR_RETURN(auto v, tx.get(k));
      tx.put(k, EncodeCounter((v ? DecodeCounter(*v) : 0) + by));
      return Status::OK();
    };
    if (a.parent != 0) {  // first hard link: switch to parent records
      META_TRY(bump(a.parent, 1));
      a.parent = 0;
    }
    META_TRY(bump(newParent, 1));
    a.nlink++;
    a.ctimeNs = now;
    SaveAttr(tx, ino, a);
    pa.mtimeNs = pa.ctimeNs = now;
    SaveAttr(tx, newParent, pa);
    out = Entry{ino, a};
    return Status::OK();
  }));
  Apply(fx);
  return out;
}

}  // namespace slicefs
