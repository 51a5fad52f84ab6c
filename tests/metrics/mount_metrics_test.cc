// A real mount serves Prometheus metrics: promtool accepts the exposition,
// series carry the volume and mount point, object and data-layer counters
// move by exactly what a known workload did, and --no-metrics serves none.
#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"
#include "support/child_process.h"
#include "support/mount.h"

namespace slicefs::testing {
namespace {

std::string Scrape(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(10);
  auto r = c.Get("/metrics");
  if (!r || r->status != 200) return "";
  return r->body;
}

// The value of the series `name{...labels...}` whose label text contains
// every `needle`, or -1.
double Value(const std::string& text, const std::string& name, const std::vector<std::string>& needles = {}) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (auto& n : needles) all = all && line.find(n) != std::string::npos;
    if (!all) continue;
    return std::strtod(line.substr(line.rfind(' ') + 1).c_str(), nullptr);
  }
  return -1;
}

void WriteFile(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::close(fd), 0);
}

TEST(MountMetrics, ExpositionIsValidAndCountersMoveExactly) {
  REQUIRE_FUSE();
  TestMount m;
  const int port = FreePort();
  ASSERT_OK(m.Mount({"--metrics", "127.0.0.1:" + std::to_string(port)}));
  const std::string before = Scrape(port);
  ASSERT_FALSE(before.empty()) << "no /metrics on port " << port;

  // promtool lints the live exposition.
  {
    std::ofstream f(m.dir() + "/metrics.txt");
    f << before;
  }
  std::string out;
  int rc = RunCommand({"sh", "-c", "command -v promtool >/dev/null || exit 127; promtool check metrics < " +
                                       m.dir() + "/metrics.txt"},
                      &out);
  if (rc == 127) {
    SKIP_OR_FAIL("promtool (Debian package prometheus) is not installed");
  } else {
    EXPECT_EQ(rc, 0) << out;
  }
  EXPECT_NE(before.find("vol_name=\"testvol\""), std::string::npos);
  EXPECT_NE(before.find("mp=\"" + m.path() + "\""), std::string::npos);
  EXPECT_GT(Value(before, "process_resident_memory_bytes"), 0);
  EXPECT_GT(Value(before, "process_threads"), 1);

  // N small files (one block each): exactly N PUTs of exactly M bytes.
  const int n = 12;
  const size_t size = 10000;
  const std::vector<std::string> put = {"method=\"PUT\""};
  const double puts0 = Value(before, "slicefs_object_requests_total", put);
  const double bytes0 = Value(before, "slicefs_object_request_bytes_total", put);
  const double blocks0 = Value(before, "slicefs_blocks_uploaded_total");
  for (int i = 0; i < n; i++) WriteFile(m / ("f" + std::to_string(i)), Pattern(size, i));
  const std::string after = Scrape(port);
  EXPECT_EQ(Value(after, "slicefs_object_requests_total", put) - puts0, n) << after;
  EXPECT_EQ(Value(after, "slicefs_object_request_bytes_total", put) - bytes0, double(n * size));
  EXPECT_EQ(Value(after, "slicefs_blocks_uploaded_total") - blocks0, n);
  EXPECT_GT(Value(after, "slicefs_meta_txn_total", {"engine=\"sqlite3\""}), 0);
  EXPECT_GE(Value(after, "slicefs_used_inodes"), n);
  ASSERT_OK(m.Unmount());
}

TEST(MountMetrics, NoMetricsServesNothingAndATakenPortMovesOn) {
  REQUIRE_FUSE();
  const int port = FreePort();
  TestMount a;
  ASSERT_OK(a.Mount({"--metrics", "127.0.0.1:" + std::to_string(port)}));
  TestMount b;
  ASSERT_OK(b.Mount({"--metrics", "127.0.0.1:" + std::to_string(port)}));  // taken: b moves on
  const std::string mine = Scrape(port);
  EXPECT_NE(mine.find("mp=\"" + a.path() + "\""), std::string::npos);
  bool found = false;
  for (int p = port + 1; p <= port + 100 && !found; p++) {
    std::string t = Scrape(p);
    found = t.find("mp=\"" + b.path() + "\"") != std::string::npos;
  }
  EXPECT_TRUE(found) << "the second mount serves on none of the next ports";
  ASSERT_OK(b.Unmount());
  TestMount c;
  const int port2 = FreePort();
  ASSERT_OK(c.Mount({"--no-metrics", "--metrics", "127.0.0.1:" + std::to_string(port2)}));
  EXPECT_TRUE(Scrape(port2).empty());
  ASSERT_OK(c.Unmount());
  ASSERT_OK(a.Unmount());
  std::string out;
  EXPECT_NE(RunSlicefs({"mount", "sqlite3:///nonexistent/x.db", "/tmp", "--metrics", "nonsense"}, &out), 0);
}

}  // namespace
}  // namespace slicefs::testing

namespace slicefs::testing {
namespace {

// A real Prometheus server scrapes a mount and answers a PromQL query for
// its write rate.
TEST(MountMetrics, PrometheusServerScrapesTheWriteRate) {
  REQUIRE_FUSE();
  std::string why;
  if (RunCommand({"sh", "-c", "command -v prometheus"}, &why) != 0) {
    SKIP_OR_FAIL("prometheus (Debian package prometheus) is not installed");
  }
  TestMount m;
  const int port = FreePort();
  ASSERT_OK(m.Mount({"--metrics", "127.0.0.1:" + std::to_string(port)}));
  const int promPort = FreePort();
  {
    std::ofstream cfg(m.dir() + "/prometheus.yml");
    cfg << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: slicefs\n    static_configs:\n      - targets: ['127.0.0.1:" << port
        << "']\n";
  }
  const std::string dir = m.dir();
  ChildProcess prom([&](ChildProcess&) {
    int devnull = ::open("/dev/null", O_RDWR);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::string c = "--config.file=" + dir + "/prometheus.yml";
    std::string d = "--storage.tsdb.path=" + dir + "/tsdb";
    std::string l = "--web.listen-address=127.0.0.1:" + std::to_string(promPort);
    execlp("prometheus", "prometheus", c.c_str(), d.c_str(), l.c_str(), nullptr);
    return 127;
  });
  httplib::Client api("127.0.0.1", promPort);
  api.set_connection_timeout(2);
  api.set_read_timeout(5);
  const std::string query = "rate(slicefs_object_request_bytes_total{method=\"PUT\",job=\"slicefs\"}[5s])";
  double rate = 0;
  std::string last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
  for (int i = 0; std::chrono::steady_clock::now() < deadline && rate <= 0; i++) {
    WriteFile(m / ("w" + std::to_string(i)), Pattern(100000, i));  // keep writing
    auto r = api.Get("/api/v1/query?query=" + httplib::detail::encode_query_param(query));
    if (r && r->status == 200) {
      last = r->body;
      std::smatch mt;
      static const std::regex value(R"re("value":\[[0-9.]+,"([0-9.e+-]+)"\])re");
      if (std::regex_search(last, mt, value)) rate = std::strtod(mt[1].str().c_str(), nullptr);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_GT(rate, 0) << "no write rate from Prometheus; last answer: " << last;
  prom.Kill();
  ASSERT_OK(m.Unmount());
}

}  // namespace
}  // namespace slicefs::testing
