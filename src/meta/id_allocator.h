// Hands out unique numbers (inode numbers, slice ids) from a counter key in
// the engine, reserving them in batches so that the counter is not written
// by every allocation.
//
// No mutex is held while a batch is reserved: the thread that takes the
// last-but-a-quarter id of a batch reserves the next one in a transaction of
// its own, while other threads keep taking ids from what is left; only when a
// batch is used up before the next arrives do callers wait (on a condition
// variable, with the mutex released). Ids reserved by a client that dies are
// simply never used.
//
// Threading: thread-safe. Errors: the engine's, when a reservation fails
// (the next call tries again).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

class IdAllocator {
 public:
  // Ids come from counter key `counterKey`; the first id ever handed out is
  // `first`; `batch` ids are reserved per counter bump.
  IdAllocator(KvStore& kv, std::string counterKey, uint64_t first, uint64_t batch)
      : kv_(kv), key_(std::move(counterKey)), first_(first), batch_(batch < 1 ? 1 : batch) {}

  Result<uint64_t> Next();

 private:
  // Reserves one batch in the engine (called without mu_ held).
  Result<std::pair<uint64_t, uint64_t>> Reserve();
  uint64_t Remaining() const;  // mu_ held

  KvStore& kv_;
  const std::string key_;
  const uint64_t first_;
  const uint64_t batch_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, uint64_t>> ranges_;  // [next, end) each; guarded by mu_
  bool reserving_ = false;                            // guarded by mu_
};

}  // namespace slicefs
