// The one retry policy of slicefs: exponential backoff with jitter, bounded
// by a number of attempts and/or a time budget. Used by the metadata engines'
// transaction loop (kv/retry.h), the object-store retry wrapper
// (object/retry_store.h) and the S3 client (object/s3_store.h).
//
// Threading: the functions keep no shared state (a thread-local RNG).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <type_traits>

#include "common/status.h"

namespace slicefs {

struct RetryPolicy {
  // Total attempts, the first included; 1 = never retry; 0 = no count limit
  // (then maxTime must bound the loop).
  int maxAttempts = 11;
  // Give up once retryable failures have lasted this long (0 = no limit).
  std::chrono::milliseconds maxTime{0};
  // Delay before retry n (n = 1, 2, ...) is random in [cap/2, cap] with
  // cap = min(maxBackoff, minBackoff * 2^(n-1)).
  std::chrono::microseconds minBackoff{50000};
  std::chrono::microseconds maxBackoff{10000000};
};

// The backoff before retry `n` (1-based) under `p`.
std::chrono::microseconds BackoffDelay(const RetryPolicy& p, int n);
void BackoffSleep(const RetryPolicy& p, int n);

// Counts one retry loop's failures against a policy.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryPolicy& p) : p_(p) {}
  // After a retryable failure: true (having slept the backoff) when another
  // attempt is allowed, false when the budget is spent.
  bool Again();
  int attempts() const { return failures_; }

 private:
  const RetryPolicy& p_;
  int failures_ = 0;
  std::chrono::steady_clock::time_point first_{};
};

// The error to return when a budget is spent after `attempts` attempts: the
// last retryable error itself when no retry was allowed (so the caller can
// still retry), else a final EIO that says how often it was tried.
Status GaveUp(const Status& last, int attempts);

// Runs `attempt` (returning Status or Result<T>) until it succeeds, fails
// with a final error, or the policy is spent (see GaveUp). `retries`, when
// given, counts the retries made.
template <class F>
auto RunWithRetry(const RetryPolicy& p, F&& attempt, std::atomic<uint64_t>* retries = nullptr)
    -> decltype(attempt()) {
  RetryBudget budget(p);
  using R = decltype(attempt());
  while (true) {
    R r = attempt();
    if constexpr (std::is_same_v<R, Status>) {
      if (r.ok() || !r.retryable()) return r;
      if (!budget.Again()) return GaveUp(r, budget.attempts());
    } else {
      if (r.has_value() || !r.error().retryable()) return r;
      if (!budget.Again()) return R(std::unexpected(GaveUp(r.error(), budget.attempts())));
    }
    if (retries) retries->fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace slicefs
