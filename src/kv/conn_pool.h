// ConnPool<C>: a small pool of engine connections. acquire() hands out an
// idle connection or makes a new one with the factory; release() returns a
// healthy connection (at most maxIdle are kept, the rest are closed). A
// connection that failed is simply dropped instead of released, so the next
// acquire() reconnects (this is how engines recover after a server restart).
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"

namespace slicefs {

template <class C>
class ConnPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<C>>()>;

  ConnPool(Factory factory, size_t maxIdle) : factory_(std::move(factory)), maxIdle_(maxIdle) {}

  Result<std::unique_ptr<C>> acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return factory_();
  }

  void release(std::unique_ptr<C> c) {
    std::lock_guard lock(mu_);
    if (idle_.size() < maxIdle_) idle_.push_back(std::move(c));
  }

  // Closes every idle connection (e.g. after the server restarted).
  void clear() {
    std::lock_guard lock(mu_);
    idle_.clear();
  }

 private:
  Factory factory_;
  size_t maxIdle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<C>> idle_;
};

}  // namespace slicefs
