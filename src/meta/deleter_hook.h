// The data layer's slice deleter as the metadata client holds it: set and
// replaced at any time, called from any thread once a slice's last
// reference is committed away.
//
// Threading: thread-safe. Set() returns only after every call of the
// previous deleter has finished, so its owner may be destroyed right after.
// Lock order: callMu_ before mu_; the deleter runs with callMu_ held (it
// must not call back into the metadata client).
#pragma once

#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "common/data_model.h"

namespace slicefs {

class DeleterHook {
 public:
  void Set(SliceDeleter d) {
    {
      std::lock_guard lk(mu_);
      deleter_ = std::move(d);
    }
    std::lock_guard wait(callMu_);
  }
  bool Has() {
    std::lock_guard lk(mu_);
    return static_cast<bool>(deleter_);
  }
  // Calls the deleter for each slice; false (nothing called) without one.
  bool Call(const std::vector<std::pair<uint64_t, uint32_t>>& slices) {
    std::lock_guard call(callMu_);
    SliceDeleter d;
    {
      std::lock_guard lk(mu_);
      d = deleter_;
    }
    if (!d) return false;
    for (const auto& [id, size] : slices) d(id, size);
    return true;
  }

 private:
  std::mutex callMu_;  // held while the deleter runs
  std::mutex mu_;      // guards deleter_
  SliceDeleter deleter_;
};

}  // namespace slicefs
