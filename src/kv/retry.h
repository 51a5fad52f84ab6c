// The transaction loop shared by the engines' KvStore::txn/readOnly, on the
// project's one retry policy (common/retry.h).
//
// RetryTxn calls `attempt` until it returns OK or a final error. A conflict
// (Status::conflict()) or a retryable error (Status::retryable()) is retried
// after an exponential backoff with jitter. The loop gives up after
// `maxConflicts` conflicts (EAGAIN) or once retryable errors have lasted
// `io.maxTime` (EIO, still marked retryable: the engine may come back).
// Thread-safe (no shared state).
#pragma once

#include <functional>
#include <string_view>

#include "common/metrics.h"
#include "common/retry.h"
#include "common/status.h"

namespace slicefs {

struct TxnRetryPolicy {
  int maxConflicts = 500;
  // Retryable engine errors (server restarts, lost connections): no count
  // limit, a one-minute budget, backoff 200 us doubling to 100 ms. Conflicts
  // back off on the same curve.
  RetryPolicy io{.maxAttempts = 0,
                 .maxTime = std::chrono::milliseconds(60000),
                 .minBackoff = std::chrono::microseconds(200),
                 .maxBackoff = std::chrono::microseconds(100000)};
};

// What one engine's transactions record (common/metrics.h), by engine:
//   slicefs_meta_txn_total, slicefs_meta_txn_errors_total (final failures),
//   slicefs_meta_txn_conflicts_total, slicefs_meta_txn_retries_total
//   (retryable engine errors), slicefs_meta_txn_duration_seconds (the whole
//   loop, retries included).
struct TxnMetrics {
  explicit TxnMetrics(std::string_view engine, MetricsRegistry& r = MetricsRegistry::Global());
  Counter& txns;
  Counter& errors;
  Counter& conflicts;
  Counter& retries;
  Histogram& duration;
};

Status RetryTxn(std::string_view engine, const TxnRetryPolicy& policy,
                const std::function<Status()>& attempt, TxnMetrics* metrics = nullptr);

}  // namespace slicefs
