// ParallelFor: runs fn(i) for i in [0, n) on up to `threads` threads (the
// caller's included) and returns the first error (remaining items are
// skipped once one fails). For the maintenance tools' HEAD/DELETE fan-out.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace slicefs {

inline Status ParallelFor(size_t n, int threads, const std::function<Status(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto work = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      Status st = fn(i);
      if (!st.ok()) {
        std::lock_guard lk(mu);
        if (!failed.exchange(true)) first = st;
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t extra = threads > 1 ? std::min<size_t>(static_cast<size_t>(threads) - 1, n) : 0;
  for (size_t t = 0; t < extra; t++) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace slicefs
