#include "chunk/work_pool.h"

namespace slicefs {

WorkPool::WorkPool(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; i++) threads_.emplace_back([this] { Loop(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lk(mu_);
    q_.push_back(std::move(task));
  }
  cv_.notify_one();
}

size_t WorkPool::Queued() const {
  std::lock_guard lk(mu_);
  return q_.size();
}

void WorkPool::Drain() {
  std::unique_lock lk(mu_);
  idle_.wait(lk, [&] { return q_.empty() && running_ == 0; });
}

void WorkPool::Loop() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stop_ || !q_.empty(); });
    if (q_.empty()) return;  // stop_ and nothing left
    auto task = std::move(q_.front());
    q_.pop_front();
    running_++;
    lk.unlock();
    task();
    lk.lock();
    running_--;
    if (q_.empty() && running_ == 0) idle_.notify_all();
  }
}

}  // namespace slicefs
