// fsck "usage": the usedSpace and totalInodes counters against a recount
// (usedSpace: regular files' lengths rounded up to 4 KiB; totalInodes: all
// inodes but the root and the trash). Live clients may hold unflushed deltas
// (at most about one second's worth), so compare on a quiet volume. Repair
// sets both counters to the recount.
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {

Status FsckCheckUsage(FsckRun& run) {
  int64_t space = 0, inodes = 0;
  for (const auto& in : run.census.inodes) {
    if (in.ino == kRootIno || in.ino == kTrashIno) continue;
    inodes++;
    if (in.type == FileType::kFile) space += static_cast<int64_t>((in.length + 4095) / 4096 * 4096);
  }
  const int64_t seenSpace = run.census.usedSpace, seenInodes = run.census.totalInodes;
  if (space == seenSpace && inodes == seenInodes) return Status::OK();
  bool repaired = false;
  if (run.opts.repair) {
    RETURN_IF_ERROR(run.kv.txn([&](KvTxn& tx) -> Status {
      // lost+found (created by this run) and any other change since the
      // census move both sides alike: apply the difference, not the value.
      ASSIGN_OR_RETURN(auto s, tx.get(keys::Counter(keys::kUsedSpace)));
      ASSIGN_OR_RETURN(auto n, tx.get(keys::Counter(keys::kTotalInodes)));
      const int64_t curSpace = s ? DecodeCounter(*s) : 0, curInodes = n ? DecodeCounter(*n) : 0;
      tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(curSpace + (space - seenSpace)));
      tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(curInodes + (inodes - seenInodes)));
      repaired = true;
      return Status::OK();
    }));
  }
  std::string msg = "usage counters: ";
  if (space != seenSpace) msg += "usedSpace " + std::to_string(seenSpace) + ", recount " + std::to_string(space);
  if (inodes != seenInodes) {
    if (space != seenSpace) msg += "; ";
    msg += "totalInodes " + std::to_string(seenInodes) + ", recount " + std::to_string(inodes);
  }
  run.Problem("usage", 0, msg + (repaired ? " (fixed)" : ""), repaired);
  return Status::OK();
}

}  // namespace slicefs
