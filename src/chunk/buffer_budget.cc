#include "chunk/buffer_budget.h"

#include <chrono>

namespace slicefs {

void BufferBudget::Acquire(uint64_t n) {
  std::unique_lock lk(mu_);
  while (used_ > 0 && used_ + n > limit_) {
    if (!cv_.wait_for(lk, std::chrono::milliseconds(50), [&] { return used_ == 0 || used_ + n <= limit_; })) {
      if (pressure_) {
        lk.unlock();
        pressure_();
        lk.lock();
      }
    }
  }
  used_ += n;
  uint64_t u = used_.load();
  uint64_t p = peak_.load();
  while (u > p && !peak_.compare_exchange_weak(p, u)) {
  }
}

void BufferBudget::Release(uint64_t n) {
  {
    std::lock_guard lk(mu_);
    used_ -= n;
  }
  cv_.notify_all();
}

}  // namespace slicefs
