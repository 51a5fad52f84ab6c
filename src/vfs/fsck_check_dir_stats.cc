// fsck "dir-stats": each directory's U record (the length, space and inode
// count of its direct children, meta/tree_stats.h) against a recount from
// the census: every entry counts its child once (a file with two links in
// one directory counts twice there), a directory as one inode with no
// length, a regular file its length and its 4 KiB-rounded space, a symlink
// its length. A missing record reads as zeros. Like the usage counters,
// live clients may hold about a second of unflushed deltas, so compare on a
// quiet volume. Repair applies the difference to the record in a
// transaction (a change since the census is kept).
#include <algorithm>
#include <map>

#include "meta/dir_stats.h"
#include "vfs/fsck_checks.h"

namespace slicefs {
namespace {

std::string Show(const DirStat& s) {
  return "length " + std::to_string(s.length) + ", space " + std::to_string(s.space) + ", inodes " +
         std::to_string(s.inodes);
}

}  // namespace

Status FsckCheckDirStats(FsckRun& run) {
  // Recount: ordered by directory so problems come out in inode order.
  std::map<Ino, DirStat> want;
  for (const auto& in : run.census.inodes) {
    if (in.type == FileType::kDir) want[in.ino];
  }
  for (const auto& l : run.census.links) {
    const CensusInode* child = run.census.Find(l.child);
    if (!child) continue;  // a dangling entry: the "entries" check's problem
    want[l.parent] += ChildStat(child->type, child->length);
  }
  auto recorded = [&](Ino dir) {
    const auto& v = run.census.dirStats;
    auto it = std::lower_bound(v.begin(), v.end(), dir, [](const auto& p, Ino d) { return p.first < d; });
    return it != v.end() && it->first == dir ? it->second : DirStat{};
  };
  for (const auto& [dir, count] : want) {
    const DirStat seen = recorded(dir);
    if (seen == count) continue;
    bool repaired = false;
    if (run.opts.repair) {
      DirStat delta = count;
      delta += -seen;
      RETURN_IF_ERROR(run.kv.txn([&](KvTxn& tx) -> Status {
        RETURN_IF_ERROR(AddDirStatInTxn(tx, dir, delta));
        repaired = true;
        return Status::OK();
      }));
    }
    run.Problem("dir-stats", dir,
                run.PathOf(dir) + ": directory stats say " + Show(seen) + ", recount " + Show(count) +
                    (repaired ? " (fixed)" : ""),
                repaired);
  }
  return Status::OK();
}

}  // namespace slicefs
