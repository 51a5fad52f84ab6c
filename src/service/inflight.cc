// Counting and draining in-flight requests (see inflight.h).
#include "service/inflight.h"

namespace slicefs::service {

Inflight::Guard& Inflight::Guard::operator=(Guard&& o) noexcept {
  if (this != &o) {
    if (owner_) owner_->Leave();
    owner_ = o.owner_;
    o.owner_ = nullptr;
  }
  return *this;
}

Inflight::Guard::~Guard() {
  if (owner_) owner_->Leave();
}

Inflight::Guard Inflight::Enter() {
  std::lock_guard lk(mu_);
  if (draining_.load(std::memory_order_relaxed)) return Guard();
  count_++;
  return Guard(this);
}

void Inflight::Leave() {
  std::lock_guard lk(mu_);
  count_--;
  if (count_ == 0) cv_.notify_all();
}

size_t Inflight::count() const {
  std::lock_guard lk(mu_);
  return count_;
}

size_t Inflight::Drain(std::chrono::milliseconds grace, std::chrono::milliseconds abortWait) {
  std::unique_lock lk(mu_);
  draining_.store(true, std::memory_order_release);
  cv_.wait_for(lk, grace, [&] { return count_ == 0; });
  if (count_ == 0) return 0;
  aborting_.store(true, std::memory_order_release);
  cv_.wait_for(lk, abortWait, [&] { return count_ == 0; });
  return count_;
}

}  // namespace slicefs::service
