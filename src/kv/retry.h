// Retry loop shared by the engines' KvStore::txn/readOnly.
//
// RetryTxn calls `attempt` until it returns OK or a final error. A conflict
// (Status::conflict()) or a retryable error (Status::retryable()) is retried
// after an exponential backoff with jitter. The loop gives up after
// `maxConflicts` conflicts (EAGAIN) or once retryable errors have lasted
// `maxRetryTime` (EIO, still marked retryable). Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "common/status.h"

namespace slicefs {

struct RetryPolicy {
  int maxConflicts = 500;
  std::chrono::milliseconds maxRetryTime{60000};
  std::chrono::microseconds minBackoff{200};
  std::chrono::microseconds maxBackoff{100000};
};

Status RetryTxn(std::string_view engine, const RetryPolicy& policy, const std::function<Status()>& attempt);

// Sleeps for a random duration in [0, min(maxBackoff, minBackoff * 2^attempt)].
void BackoffSleep(const RetryPolicy& policy, int attempt);

}  // namespace slicefs
