#include "meta/usage_counters.h"

#include <algorithm>

#include "meta/attr_codec.h"
#include "meta/keys.h"

namespace slicefs {

Status UsageCounters::ReadCounters(KvTxn& tx, int64_t* space, int64_t* inodes) {
  ASSIGN_OR_RETURN(auto s, tx.get(keys::Counter(keys::kUsedSpace)));
  ASSIGN_OR_RETURN(auto i, tx.get(keys::Counter(keys::kTotalInodes)));
  *space = s ? DecodeCounter(*s) : 0;
  *inodes = i ? DecodeCounter(*i) : 0;
  return Status::OK();
}

Status UsageCounters::Flush() {
  std::lock_guard lk(flushMu_);
  const int64_t ds = spaceDelta_.load(), di = inodeDelta_.load();
  int64_t space = 0, inodes = 0;
  if (ds == 0 && di == 0) {  // read-only clients too: they may destroy open-unlinked files
    RETURN_IF_ERROR(kv_.readOnly([&](KvTxn& tx) { return ReadCounters(tx, &space, &inodes); }));
  } else {
    RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
      RETURN_IF_ERROR(ReadCounters(tx, &space, &inodes));
      space += ds;
      inodes += di;
      tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(space));
      tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(inodes));
      return Status::OK();
    }));
    spaceDelta_ -= ds;
    inodeDelta_ -= di;
  }
  spaceBase_ = space;
  inodesBase_ = inodes;
  return Status::OK();
}

Status UsageCounters::ReadCurrent(int64_t* space, int64_t* inodes) {
  RETURN_IF_ERROR(kv_.readOnly([&](KvTxn& tx) { return ReadCounters(tx, space, inodes); }));
  *space = std::max<int64_t>(0, *space + spaceDelta_.load());
  *inodes = std::max<int64_t>(0, *inodes + inodeDelta_.load());
  return Status::OK();
}

Status UsageCounters::CheckSpace(int64_t delta, uint64_t limit) const {
  if (delta <= 0 || limit == 0) return Status::OK();
  const int64_t used = spaceBase_.load() + spaceDelta_.load();
  if (used + delta > static_cast<int64_t>(limit)) return Status::Error(ENOSPC, "volume capacity reached");
  return Status::OK();
}

Status UsageCounters::CheckInodes(int64_t delta, uint64_t limit) const {
  if (delta <= 0 || limit == 0) return Status::OK();
  const int64_t used = inodesBase_.load() + inodeDelta_.load();
  if (used + delta > static_cast<int64_t>(limit)) return Status::Error(ENOSPC, "volume inode limit reached");
  return Status::OK();
}

}  // namespace slicefs
