// The volume's hot counters, usedSpace and totalInodes, as one client sees
// them: the values last read from the engine plus this client's changes not
// yet written. Operations add their deltas in memory (atomics, no lock);
// Flush writes them in one transaction, periodically and at session close,
// so the counters never sit in every transaction. The capacity and inode
// limits are checked against base + delta (documented slack: other
// clients' unflushed deltas, at most one flush interval's worth).
//
// Threading: thread-safe. Flush runs one at a time (flushMu_, held across
// its transaction; background thread and session close only).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

class UsageCounters {
 public:
  explicit UsageCounters(KvStore& kv) : kv_(kv) {}

  void Add(int64_t space, int64_t inodes) {
    if (space) spaceDelta_ += space;
    if (inodes) inodeDelta_ += inodes;
  }
  // Writes the deltas (or, with none, rereads the counters) and refreshes
  // the bases.
  Status Flush();
  // The engine's counters now plus this client's unflushed deltas.
  Status ReadCurrent(int64_t* space, int64_t* inodes);

  // ENOSPC if adding `delta` would pass `limit` (0 = unlimited).
  Status CheckSpace(int64_t delta, uint64_t limit) const;
  Status CheckInodes(int64_t delta, uint64_t limit) const;

  int64_t pendingSpace() const { return spaceDelta_.load(); }
  int64_t pendingInodes() const { return inodeDelta_.load(); }

 private:
  Status ReadCounters(KvTxn& tx, int64_t* space, int64_t* inodes);

  KvStore& kv_;
  std::atomic<int64_t> spaceDelta_{0};
  std::atomic<int64_t> inodeDelta_{0};
  std::atomic<int64_t> spaceBase_{0};   // counters as last read/flushed
  std::atomic<int64_t> inodesBase_{0};
  std::mutex flushMu_;
};

}  // namespace slicefs
