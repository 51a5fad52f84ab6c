// kv_bench: transactions per second and mean latency of each KV engine
// (mem, sqlite3, redis, postgres, etcd) through the KvStore interface, on
// servers started by scripts/servers (as the tests do). Prints a Markdown
// table. Usage: kv_bench [ops-per-case (default 2000)] [engine...]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/engines.h"

using namespace slicefs;
using Clock = std::chrono::steady_clock;

namespace {

std::string Key(int i) {
  char k[32];
  snprintf(k, sizeof k, "bench/%08d", i);
  return k;
}

struct Row {
  double opsPerSec = 0, meanUs = 0;
  int errors = 0;
};

// Runs op(i) for i in [0, n) on `threads` threads.
template <class Op>
Row Measure(int n, int threads, Op op) {
  std::atomic<int> next{0}, errors{0};
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++) {
    ts.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < n;) {
        if (!op(i).ok()) errors++;
      }
    });
  }
  for (auto& t : ts) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  return {n / secs, secs * 1e6 * threads / n, errors.load()};
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::vector<std::string> engines;
  for (int i = 2; i < argc; i++) engines.push_back(argv[i]);
  if (engines.empty()) engines = slicefs::testing::EngineNames();
  const std::string value(100, 'v');
  printf("| engine | put | get | get+put | scan 100 | 4 threads put | 4 threads increment one key |\n");
  printf("|---|---|---|---|---|---|---|\n");
  for (const auto& e : engines) {
    auto opened = slicefs::testing::OpenFreshEngine(e);
    if (!opened) {
      fprintf(stderr, "%s: %s\n", e.c_str(), opened.error().ToString().c_str());
      continue;
    }
    KvStore& s = **opened;
    std::vector<Row> rows;
    rows.push_back(Measure(n, 1, [&](int i) {
      return s.txn([&](KvTxn& t) {
        t.put(Key(i), value);
        return Status::OK();
      });
    }));
    rows.push_back(Measure(n, 1, [&](int i) {
      return s.readOnly([&](KvTxn& t) -> Status {
        ASSIGN_OR_RETURN(auto v, t.get(Key(i)));
        return v ? Status::OK() : Status::NotFound();
      });
    }));
    rows.push_back(Measure(n, 1, [&](int i) {
      return s.txn([&](KvTxn& t) -> Status {
        ASSIGN_OR_RETURN(auto v, t.get(Key(i)));
        t.put(Key(i), value + "x");
        return Status::OK();
      });
    }));
    rows.push_back(Measure(n / 10, 1, [&](int i) {
      return s.readOnly([&](KvTxn& t) -> Status {
        ASSIGN_OR_RETURN(auto r, t.scan(Key((i * 97) % (n - 100)), "", 100));
        return r.size() == 100 ? Status::OK() : Status::IOError("short scan");
      });
    }));
    rows.push_back(Measure(n, 4, [&](int i) {
      return s.txn([&](KvTxn& t) {
        t.put(Key(n + i), value);
        return Status::OK();
      });
    }));
    rows.push_back(Measure(n / 4, 4, [&](int) {
      return s.txn([&](KvTxn& t) -> Status {
        ASSIGN_OR_RETURN(auto v, t.get("counter"));
        t.put("counter", std::to_string(v ? std::stol(*v) + 1 : 1));
        return Status::OK();
      });
    }));
    printf("| %s |", e.c_str());
    for (const auto& r : rows) {
      printf(" %.0f/s, %.0f µs%s |", r.opsPerSec, r.meanUs, r.errors ? " (errors!)" : "");
    }
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
