#include "common/retry.h"

#include <algorithm>
#include <random>
#include <thread>

namespace slicefs {

std::chrono::microseconds BackoffDelay(const RetryPolicy& p, int n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int shift = std::clamp(n - 1, 0, 30);
  int64_t base = std::max<int64_t>(p.minBackoff.count(), 1);
  int64_t cap = std::min<int64_t>(p.maxBackoff.count(), base << shift);
  cap = std::max<int64_t>(cap, 1);
  std::uniform_int_distribution<int64_t> dist(cap / 2, cap);
  return std::chrono::microseconds(dist(rng));
}

void BackoffSleep(const RetryPolicy& p, int n) { std::this_thread::sleep_for(BackoffDelay(p, n)); }

bool RetryBudget::Again() {
  auto now = std::chrono::steady_clock::now();
  if (failures_++ == 0) first_ = now;
  if (p_.maxAttempts > 0 && failures_ >= p_.maxAttempts) return false;
  if (p_.maxTime.count() > 0 && now - first_ >= p_.maxTime) return false;
  BackoffSleep(p_, failures_);
  return true;
}

Status GaveUp(const Status& last, int attempts) {
  if (attempts <= 1) return last;
  return Status::IOError(last.message() + " (gave up after " + std::to_string(attempts) + " attempts)");
}

}  // namespace slicefs
