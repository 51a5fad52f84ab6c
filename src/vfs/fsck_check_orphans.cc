// fsck "orphans": inodes that no directory entry reaches, other than the
// root, the trash directory and files open-unlinked by a session (nlink 0
// with an SS record). Repair links each into /lost+found as "#INO" (as
// e2fsck does), with nlink 1 (directories keep theirs) and no parent records.
#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/dir_stats.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {
namespace {

bool HasLink(const VolumeCensus& c, Ino ino) {
  auto it = std::lower_bound(c.links.begin(), c.links.end(), ino,
                             [](const CensusLink& l, Ino v) { return l.child < v; });
  return it != c.links.end() && it->child == ino;
}

Status Attach(FsckRun& run, Ino lf, Ino ino, bool* done) {
  const std::string name = "#" + std::to_string(ino);
  return run.kv.txn([&](KvTxn& tx) -> Status {
    *done = false;
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Attr(ino)));
    if (!v) return Status::OK();
    ASSIGN_OR_RETURN(Attr a, DecodeAttr(*v));
    ASSIGN_OR_RETURN(auto lv, tx.get(keys::Attr(lf)));
    if (!lv) return Status::IOError("/lost+found vanished");
    ASSIGN_OR_RETURN(Attr dir, DecodeAttr(*lv));
    ASSIGN_OR_RETURN(auto existing, tx.get(keys::Entry(lf, name)));
    if (existing) return Status::Error(EEXIST, "/lost+found/" + name + " exists");
    std::vector<std::string> parentKeys;
    RETURN_IF_ERROR(ScanPrefix(tx, keys::ParentPrefix(ino), 100, [&](const KeyValue& kv) -> Status {
      parentKeys.push_back(kv.key);
      return Status::OK();
    }));
    for (const auto& k : parentKeys) tx.del(k);
    a.parent = lf;
    if (a.type == FileType::kDir) {
      dir.nlink++;
    } else {
      a.nlink = 1;
    }
    tx.put(keys::Attr(ino), EncodeAttr(a));
    tx.put(keys::Attr(lf), EncodeAttr(dir));
    tx.put(keys::Entry(lf, name), EncodeEntry(a.type, ino));
    RETURN_IF_ERROR(AddDirStatInTxn(tx, lf, ChildStat(a.type, a.length)));
    *done = true;
    return Status::OK();
  });
}

}  // namespace

Status FsckCheckOrphans(FsckRun& run) {
  const auto& c = run.census;
  for (const auto& in : c.inodes) {
    if (in.ino == kRootIno || in.ino == kTrashIno || HasLink(c, in.ino)) continue;
    if (in.nlink == 0 && c.IsOpen(in.ino)) continue;  // open-unlinked: the last close removes it
    bool repaired = false;
    std::string where;
    if (run.opts.repair) {
      ASSIGN_OR_RETURN(Ino lf, run.LostFound());
      RETURN_IF_ERROR(Attach(run, lf, in.ino, &repaired));
      if (repaired) where = " (moved to /lost+found/#" + std::to_string(in.ino) + ")";
    }
    run.Problem("orphans", in.ino,
                "inode " + std::to_string(in.ino) + " (" + (in.type == FileType::kDir ? "directory" : "file") +
                    ", " + std::to_string(in.length) + " bytes, nlink " + std::to_string(in.nlink) +
                    ") is reachable from no directory entry" + where,
                repaired);
  }
  return Status::OK();
}

}  // namespace slicefs
