// The one metrics registry of a slicefs process. Every layer records into it
// cheaply: counters and gauges are relaxed atomics, histograms have fixed
// bucket bounds and one atomic per bucket, so recording takes no lock.
// Exporters (Prometheus /metrics, the mount's .stats file, `slicefs stats`)
// only read it.
//
// A metric is a family (name, help, type) with one child per label set.
// Get a child once (at construction of the component that records) and keep
// the reference: children live as long as the registry and never move.
//
// Names follow Prometheus conventions: base units (seconds, bytes), `_total`
// on counters; the registry does not check names.
// Threading: everything is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace slicefs {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Observations in seconds (or any unit: the bounds say). Bounds ascending;
// an implicit +Inf bucket follows the last.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Times the scope and observes the elapsed seconds on destruction.
  class Timer {
   public:
    explicit Timer(Histogram& h) : h_(h), t0_(std::chrono::steady_clock::now()) {}
    ~Timer() { h_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count()); }

   private:
    Histogram& h_;
    std::chrono::steady_clock::time_point t0_;
  };

  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts; the last is +Inf.
  std::vector<uint64_t> counts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sumNanos_{0};  // sum * 1e9, so it can be an integer atomic
};

// Latency buckets from 50 us to 60 s (roughly x2.5 apart).
std::vector<double> LatencyBuckets();
// Size buckets from 1 KiB to 64 MiB (x4 apart).
std::vector<double> SizeBuckets();

class MetricsRegistry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // The process-wide registry.
  static MetricsRegistry& Global();

  Counter& counter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const MetricLabels& labels = {},
                       const std::vector<double>& bounds = LatencyBuckets());
  // A gauge (or counter) whose value is read from `fn` at export time (RSS,
  // used space; counts another component keeps). Registering the same name
  // and labels again replaces the function. fn runs with the registry's lock
  // held: it must not call the registry.
  void gaugeFn(const std::string& name, const std::string& help, const MetricLabels& labels,
               std::function<double()> fn);
  void counterFn(const std::string& name, const std::string& help, const MetricLabels& labels,
                 std::function<double()> fn);
  // Drops the function (the series disappears from the exposition).
  void removeFn(const std::string& name, const MetricLabels& labels);

  // The Prometheus text exposition format (version 0.0.4). `extra` labels
  // (volume, mount point) are added to every series.
  std::string Prometheus(const MetricLabels& extra = {}) const;

  // One line per series, "name{labels} value" (histograms: _count and
  // _sum), for the .stats file.
  std::string Text() const;

 private:
  struct Child {
    MetricLabels labels;
    std::unique_ptr<Counter> c;
    std::unique_ptr<Gauge> g;
    std::unique_ptr<Histogram> h;
    std::function<double()> fn;
  };
  struct Family {
    std::string help;
    Type type;
    std::deque<Child> children;
  };
  Child& child(const std::string& name, const std::string& help, Type type, const MetricLabels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace slicefs
