#include "kv/retry.h"

#include <optional>
#include <string>

namespace slicefs {

namespace {
MetricLabels EngineLabel(std::string_view engine) { return {{"engine", std::string(engine)}}; }
}  // namespace

TxnMetrics::TxnMetrics(std::string_view engine, MetricsRegistry& r)
    : txns(r.counter("slicefs_meta_txn_total", "Metadata transactions", EngineLabel(engine))),
      errors(r.counter("slicefs_meta_txn_errors_total", "Metadata transactions that failed", EngineLabel(engine))),
      conflicts(r.counter("slicefs_meta_txn_conflicts_total", "Metadata transaction conflicts (each retried)",
                          EngineLabel(engine))),
      retries(r.counter("slicefs_meta_txn_retries_total", "Metadata transactions retried after an engine error",
                        EngineLabel(engine))),
      duration(r.histogram("slicefs_meta_txn_duration_seconds", "Metadata transaction latency, retries included",
                           EngineLabel(engine))) {}

Status RetryTxn(std::string_view engine, const TxnRetryPolicy& policy,
                const std::function<Status()>& attempt, TxnMetrics* metrics) {
  std::optional<Histogram::Timer> timer;
  if (metrics) {
    metrics->txns.Add();
    timer.emplace(metrics->duration);
  }
  int conflicts = 0;
  RetryBudget io(policy.io);
  while (true) {
    Status st = attempt();
    if (st.ok() || (!st.conflict() && !st.retryable())) {
      if (metrics && !st.ok()) metrics->errors.Add();
      return st;
    }
    if (metrics) (st.conflict() ? metrics->conflicts : metrics->retries).Add();
    if (st.conflict()) {
      if (++conflicts >= policy.maxConflicts) {
        if (metrics) metrics->errors.Add();
        return Status::Conflict(std::string(engine) + ": transaction still conflicting after " +
                                std::to_string(conflicts) + " attempts: " + st.message());
      }
      BackoffSleep(policy.io, conflicts);
    } else if (!io.Again()) {
      if (metrics) metrics->errors.Add();
      return Status::Retryable(EIO, std::string(engine) + ": giving up after " +
                                        std::to_string(io.attempts() + conflicts) +
                                        " attempts: " + st.message());
    }
  }
}

}  // namespace slicefs
