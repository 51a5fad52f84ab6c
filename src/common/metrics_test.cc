// The metrics registry: exact counts under concurrency, histogram buckets,
// and an exposition that Prometheus's own checker (promtool) accepts.
#include "common/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "support/test_util.h"

namespace slicefs {
namespace {

TEST(Metrics, CountersAreExactUnderConcurrency) {
  MetricsRegistry r;
  Counter& c = r.counter("slicefs_test_ops_total", "ops", {{"op", "write"}});
  Histogram& h = r.histogram("slicefs_test_op_seconds", "latency", {{"op", "write"}});
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; t++)
    ts.emplace_back([&] {
      for (int i = 0; i < 100000; i++) {
        c.Add();
        h.Observe(0.001);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value(), 800000u);
  EXPECT_EQ(h.count(), 800000u);
  EXPECT_NEAR(h.sum(), 800.0, 0.01);
  // The same name and labels give the same child.
  EXPECT_EQ(&r.counter("slicefs_test_ops_total", "ops", {{"op", "write"}}), &c);
  EXPECT_NE(&r.counter("slicefs_test_ops_total", "ops", {{"op", "read"}}), &c);
  EXPECT_THROW(r.gauge("slicefs_test_ops_total", "x"), std::logic_error);
}

TEST(Metrics, HistogramBucketsAreUpperInclusive) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 100.0}) h.Observe(v);
  EXPECT_EQ(h.counts(), (std::vector<uint64_t>{2, 2, 1, 1}));
}

TEST(Metrics, PrometheusTextFormat) {
  MetricsRegistry r;
  r.counter("slicefs_fuse_ops_total", "FUSE requests", {{"op", "read"}}).Add(3);
  r.gauge("slicefs_buffer_used_bytes", "write buffer in use").Set(42);
  r.gaugeFn("slicefs_process_threads", "threads", {}, [] { return 7.0; });
  Histogram& h = r.histogram("slicefs_object_request_seconds", "object latency", {{"method", "GET"}}, {0.01, 0.1});
  h.Observe(0.005);
  h.Observe(0.05);
  h.Observe(1);
  const std::string text = r.Prometheus({{"vol", "a\"b"}});
  EXPECT_NE(text.find("# TYPE slicefs_fuse_ops_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slicefs_fuse_ops_total{vol=\"a\\\"b\",op=\"read\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slicefs_buffer_used_bytes{vol=\"a\\\"b\"} 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slicefs_process_threads{vol=\"a\\\"b\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slicefs_object_request_seconds_bucket{vol=\"a\\\"b\",method=\"GET\",le=\"0.01\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("slicefs_object_request_seconds_count{vol=\"a\\\"b\",method=\"GET\"} 3\n"),
            std::string::npos) << text;

  // Prometheus's own linter accepts it.
  testing::TempDir dir;
  {
    std::ofstream f(dir / "m.txt");
    f << text;
  }
  std::string out;
  int rc = testing::RunCommand({"sh", "-c", "command -v promtool >/dev/null || exit 127; promtool check metrics < " +
                                                (dir / "m.txt")},
                               &out);
  if (rc == 127) SKIP_OR_FAIL("promtool (Debian package prometheus) is not installed");
  EXPECT_EQ(rc, 0) << out << "\n" << text;
}

}  // namespace
}  // namespace slicefs
