// fsck "entries": directory entries that name an inode with no attributes.
// Repair deletes such entries (there is nothing they could lead to).
#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {

Status FsckCheckEntries(FsckRun& run) {
  const auto& c = run.census;
  for (size_t i = 0; i < c.links.size(); i++) {
    const CensusLink& l = c.links[i];
    if (c.Find(l.child) || (i > 0 && c.links[i - 1].child == l.child && c.links[i - 1].parent == l.parent)) continue;
    // Every name in l.parent that points at the missing inode.
    std::vector<std::string> names;
    RETURN_IF_ERROR(run.kv.readOnly([&](KvTxn& tx) -> Status {
      names.clear();
      return ScanPrefix(tx, keys::EntryPrefix(l.parent), 1000, [&](const KeyValue& kv) -> Status {
        auto e = DecodeEntry(kv.value);
        auto n = keys::EntryName(kv.key);
        if (e && n && e->ino == l.child) names.emplace_back(*n);
        return Status::OK();
      });
    }));
    const std::string dir = run.PathOf(l.parent);
    for (const auto& name : names) {
      bool repaired = false;
      if (run.opts.repair) {
        RETURN_IF_ERROR(run.kv.txn([&](KvTxn& tx) -> Status {
          repaired = false;
          ASSIGN_OR_RETURN(auto attr, tx.get(keys::Attr(l.child)));
          if (attr) return Status::OK();  // the inode appeared meanwhile
          tx.del(keys::Entry(l.parent, name));
          repaired = true;
          return Status::OK();
        }));
      }
      run.Problem("entries", l.parent,
                  (dir == "/" ? "/" : dir + "/") + name + ": entry names missing inode " + std::to_string(l.child) +
                      (repaired ? " (entry removed)" : ""),
                  repaired);
    }
  }
  return Status::OK();
}

}  // namespace slicefs
