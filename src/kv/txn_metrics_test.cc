// Every engine's transactions are counted (slicefs_meta_txn_*), conflicts and
// final failures included.
#include <gtest/gtest.h>

#include "common/metrics.h"
#include "kv/mem_kv.h"

namespace slicefs {
namespace {

TEST(TxnMetrics, TransactionsConflictsAndErrorsAreCounted) {
  auto kv = NewMemKvStore("");
  auto& reg = MetricsRegistry::Global();
  const MetricLabels mem{{"engine", "mem"}};
  Counter& txns = reg.counter("slicefs_meta_txn_total", "", mem);
  Counter& conflicts = reg.counter("slicefs_meta_txn_conflicts_total", "", mem);
  Counter& errors = reg.counter("slicefs_meta_txn_errors_total", "", mem);
  Histogram& latency = reg.histogram("slicefs_meta_txn_duration_seconds", "", mem);
  const uint64_t t0 = txns.value(), c0 = conflicts.value(), e0 = errors.value(), l0 = latency.count();

  for (int i = 0; i < 5; i++) {
    ASSERT_TRUE(kv->txn([&](KvTxn& tx) {
                    tx.put("k" + std::to_string(i), "v");
                    return Status::OK();
                  }).ok());
  }
  int tries = 0;
  ASSERT_TRUE(kv->txn([&](KvTxn&) { return ++tries <= 2 ? Status::Conflict() : Status::OK(); }).ok());
  EXPECT_FALSE(kv->readOnly([](KvTxn&) { return Status::Error(EACCES, "final"); }).ok());

  EXPECT_EQ(txns.value() - t0, 7u);
  EXPECT_EQ(conflicts.value() - c0, 2u);
  EXPECT_EQ(errors.value() - e0, 1u);
  EXPECT_EQ(latency.count() - l0, 7u);
}

}  // namespace
}  // namespace slicefs
