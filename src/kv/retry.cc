#include "kv/retry.h"

#include <algorithm>
#include <random>
#include <string>
#include <thread>

namespace slicefs {

void BackoffSleep(const RetryPolicy& policy, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int shift = std::min(attempt, 20);
  auto cap = std::min<int64_t>(policy.maxBackoff.count(), policy.minBackoff.count() << shift);
  std::uniform_int_distribution<int64_t> dist(cap / 4, std::max<int64_t>(cap, 1));
  std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
}

Status RetryTxn(std::string_view engine, const RetryPolicy& policy, const std::function<Status()>& attempt) {
  int conflicts = 0;
  int tries = 0;
  std::chrono::steady_clock::time_point firstFailure{};
  bool failing = false;
  while (true) {
    Status st = attempt();
    if (st.ok() || (!st.conflict() && !st.retryable())) return st;
    tries++;
    if (st.conflict()) {
      if (++conflicts >= policy.maxConflicts) {
        return Status::Conflict(std::string(engine) + ": transaction still conflicting after " +
                                std::to_string(conflicts) + " attempts: " + st.message());
      }
    } else {
      auto now = std::chrono::steady_clock::now();
      if (!failing) {
        failing = true;
        firstFailure = now;
      } else if (now - firstFailure > policy.maxRetryTime) {
        return Status::Retryable(EIO, std::string(engine) + ": giving up after " +
                                          std::to_string(tries) + " attempts: " + st.message());
      }
    }
    BackoffSleep(policy, tries);
  }
}

}  // namespace slicefs
