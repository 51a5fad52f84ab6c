// What the per-op FUSE metrics add to one request: two steady_clock reads
// and one Histogram::Observe (fuse/op_trace.cc), on 1 and 2 threads sharing
// the same histogram (the worst case: every request of one op type).
//
//   cmake --build build --target op_trace_bench && build/op_trace_bench
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "common/metrics.h"

using namespace slicefs;

int main() {
  Histogram h(LatencyBuckets());
  Counter errors;
  const int n = 5'000'000;
  for (int threads : {1, 2}) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++) {
      ts.emplace_back([&] {
        for (int i = 0; i < n; i++) {
          auto a = std::chrono::steady_clock::now();
          double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
          h.Observe(secs);
          if (secs < 0) errors.Add();
        }
      });
    }
    for (auto& t : ts) t.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%d thread(s): %.1f ns per traced request\n", threads, s * 1e9 / n);
  }
  return h.count() == 2ULL * n + n ? 0 : 1;
}
