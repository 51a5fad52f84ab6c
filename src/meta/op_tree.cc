// Meta::RemoveTree (rmr --skip-trash, trash purge) and Meta::CloneFile
// (slicefs clone): whole-tree operations done in batched transactions.
#include <sys/stat.h>
#include <unistd.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {
namespace {
constexpr size_t kRemoveBatch = 1000;  // entries per transaction
}  // namespace

Result<uint64_t> MetaImpl::RemoveTree(Ino parent, std::string_view name,
                                      const std::function<bool(uint64_t)>& progress) {
  META_TRY(CheckWritable());
  std::optional<EntryValue> top;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(top, LoadEntry(tx, parent, name));
    return Status::OK();
  }));
  if (!top) return Err(ENOENT, "no such entry");
  uint64_t removed = 0;
  // Empties the directories depth first: each transaction removes up to a
  // batch of one directory's entries, stopping at a non-empty subdirectory,
  // which is then emptied first.
  std::vector<Ino> stack;
  if (top->type == FileType::kDir) stack.push_back(top->ino);
  while (!stack.empty()) {
    const int64_t now = NowNs();
    std::vector<Ino> work;  // the stack as this attempt leaves it
    uint64_t n = 0;
    TxnEffects fx;
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      fx.Reset();
      work = stack;
      n = 0;
      size_t budget = kRemoveBatch;
      ASSIGN_OR_RETURN(auto sids, SessionIds(tx));
      // One transaction fills its budget across directories: it empties the
      // deepest directory on the stack, pops it (its parent removes it with
      // its next scan), descends into a non-empty subdirectory, and goes on.
      while (!work.empty() && budget > 0) {
        const Ino d = work.back();
        ASSIGN_OR_RETURN(Attr da, MustAttr(tx, d));
        const std::string prefix = keys::EntryPrefix(d);
        ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), budget));
        std::vector<EntryValue> evs;
        std::vector<std::string> attrKeys;
        for (const auto& kv : kvs) {
          ASSIGN_OR_RETURN(EntryValue ev, DecodeEntry(kv.value));
          evs.push_back(ev);
          attrKeys.push_back(keys::Attr(ev.ino));
        }
        ASSIGN_OR_RETURN(auto attrVals, tx.gets(attrKeys));
        Ino descend = 0;
        size_t used = 0;
        for (size_t i = 0; i < kvs.size(); i++) {
          used++;
          auto nm = keys::EntryName(kvs[i].key);
          if (!nm || !attrVals[i]) {  // a dangling entry: just drop it
            tx.del(kvs[i].key);
            continue;
          }
          ASSIGN_OR_RETURN(Attr child, DecodeAttr(*attrVals[i]));
          if (child.type == FileType::kDir) {
            ASSIGN_OR_RETURN(bool empty, DirIsEmpty(tx, evs[i].ino));
            if (!empty) {
              descend = evs[i].ino;
              break;
            }
            da.nlink--;
          }
          META_TRY(DropLink(tx, d, *nm, evs[i].ino, child, now, fx, /*mayTrash=*/false, &sids));
          n++;
        }
        da.mtimeNs = da.ctimeNs = now;
        SaveAttr(tx, d, da);
        const bool exhausted = descend == 0 && kvs.size() == budget;  // may hold more
        budget -= std::min(budget, used + 1);
        if (descend != 0) {
          work.push_back(descend);
        } else if (!exhausted) {
          work.pop_back();  // empty now
        }
      }
      return Status::OK();
    }));
    Apply(fx);
    stack = std::move(work);
    removed += n;
    if (progress && !progress(removed)) return Err(ECANCELED, "stopped after " + std::to_string(removed) + " entries");
  }
  // The top itself (a file, or the directory now empty).
  const int64_t now = NowNs();
  TxnEffects fx;
  bool gone = false;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    gone = false;
    ASSIGN_OR_RETURN(auto e, LoadEntry(tx, parent, name));
    if (!e || e->ino != top->ino) return Status::OK();  // removed or replaced meanwhile
    ASSIGN_OR_RETURN(Attr pa, MustAttr(tx, parent));
    ASSIGN_OR_RETURN(Attr child, MustAttr(tx, e->ino));
    if (child.type == FileType::kDir) {
      ASSIGN_OR_RETURN(bool empty, DirIsEmpty(tx, e->ino));
      if (!empty) return Status::Error(ENOTEMPTY, "directory filled up while being removed");
      pa.nlink--;
    }
    META_TRY(DropLink(tx, parent, name, e->ino, child, now, fx, /*mayTrash=*/false));
    pa.mtimeNs = pa.ctimeNs = now;
    SaveAttr(tx, parent, pa);
    gone = true;
    return Status::OK();
  }));
  Apply(fx);
  if (gone) removed++;
  if (progress) (void)progress(removed);
  return removed;
}

Result<Entry> MetaImpl::CloneFile(const Ctx& ctx, Ino src, Ino parent, std::string_view name, bool preserve) {
  META_TRY(CheckWritable());
  META_TRY(CheckName(name));
  ASSIGN_OR_RETURN(Ino ino, AllocInode());
  const int64_t now = NowNs();
  Entry out;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr sa, MustAttr(tx, src));
    if (sa.type != FileType::kFile) return Status::Error(EINVAL, "not a regular file");
    META_TRY(CheckAccess(tx, ctx, sa, R_OK));
    ASSIGN_OR_RETURN(Attr pa, LoadDirForChange(tx, ctx, parent));
    ASSIGN_OR_RETURN(auto existing, LoadEntry(tx, parent, name));
    if (existing) return Status::Error(EEXIST, "file exists");
    Attr a = sa;
    a.nlink = 1;
    a.parent = parent;
    a.ctimeNs = now;
    // Like cp: the copy belongs to the caller; with preserve (cp -p) the
    // owner is kept only for root, and the times are kept.
    if (!preserve || !ctx.isRoot()) {
      a.uid = ctx.uid;
      a.gid = (pa.mode & S_ISGID) ? pa.gid : ctx.gid;
      if (a.uid != sa.uid || a.gid != sa.gid) a.mode &= ~uint32_t(S_ISUID | S_ISGID);
    }
    if (!preserve) a.atimeNs = a.mtimeNs = now;
    if (preserve) {
      META_TRY(RefAcls(tx, a, 1));  // the copy shares the ACL rules
    } else {
      a.accessAcl = a.defaultAcl = 0;
    }
    META_TRY(CheckSpace(SpaceOf(a)));
    META_TRY(CheckInodes(1));
    META_TRY(CheckQuota(parent, SpaceOf(a), 1, &tx));
    SaveAttr(tx, ino, a);
    tx.put(keys::Entry(parent, name), EncodeEntry(FileType::kFile, ino));
    fx.Dir(parent, StatOf(a));
    const std::string cp = keys::ChunkPrefix(src);
    META_TRY(ScanPrefix(tx, cp, 1000, [&](const KeyValue& kv) -> Status {
      auto idx = keys::ChunkIndex(kv.key);
      if (!idx) return Status::OK();
      ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(kv.value));
      for (const auto& r : recs) {
        if (r.id) META_TRY(AddSliceRef(tx, r.id, r.size, 1, fx));
      }
      tx.put(keys::Chunk(ino, *idx), kv.value);
      return Status::OK();
    }));
    if (preserve) {
      const std::string xp = keys::XattrPrefix(src);
      META_TRY(ScanPrefix(tx, xp, 1000, [&](const KeyValue& kv) -> Status {
        if (auto xn = keys::XattrName(kv.key)) tx.put(keys::Xattr(ino, *xn), kv.value);
        return Status::OK();
      }));
    }
    pa.mtimeNs = pa.ctimeNs = now;
    SaveAttr(tx, parent, pa);
    fx.spaceDelta += SpaceOf(a);
    fx.inodeDelta += 1;
    out = Entry{ino, a};
    return Status::OK();
  }));
  Apply(fx);
  return out;
}

}  // namespace slicefs
