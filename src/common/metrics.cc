#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace slicefs {

// ---- histogram ---------------------------------------------------------------

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); i++) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();  // v <= bound
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0 && std::isfinite(v)) sumNanos_.fetch_add(static_cast<uint64_t>(v * 1e9), std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); i++) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::sum() const { return static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9; }

std::vector<double> LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,   60};
}

std::vector<double> SizeBuckets() {
  std::vector<double> b;
  for (double v = 1024; v <= 64.0 * 1024 * 1024; v *= 4) b.push_back(v);
  return b;
}

// ---- registry ----------------------------------------------------------------

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry* r = new MetricsRegistry();  // never destroyed: recorders may outlive main
  return *r;
}

MetricsRegistry::Child& MetricsRegistry::child(const std::string& name, const std::string& help, Type type,
                                               const MetricLabels& labels) {
  auto& fam = families_[name];
  if (fam.children.empty() && fam.help.empty()) {
    fam.help = help;
    fam.type = type;
  } else if (fam.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  for (auto& c : fam.children)
    if (c.labels == labels) return c;
  fam.children.push_back(Child{labels, nullptr, nullptr, nullptr, nullptr});
  return fam.children.back();
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard lk(mu_);
  auto& c = child(name, help, Type::kCounter, labels);
  if (!c.c) c.c = std::make_unique<Counter>();
  return *c.c;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard lk(mu_);
  auto& c = child(name, help, Type::kGauge, labels);
  if (!c.g) c.g = std::make_unique<Gauge>();
  return *c.g;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, const MetricLabels& labels,
                                      const std::vector<double>& bounds) {
  std::lock_guard lk(mu_);
  auto& c = child(name, help, Type::kHistogram, labels);
  if (!c.h) c.h = std::make_unique<Histogram>(bounds);
  return *c.h;
}

void MetricsRegistry::gaugeFn(const std::string& name, const std::string& help, const MetricLabels& labels,
                              std::function<double()> fn) {
  std::lock_guard lk(mu_);
  child(name, help, Type::kGauge, labels).fn = std::move(fn);
}

void MetricsRegistry::counterFn(const std::string& name, const std::string& help, const MetricLabels& labels,
                                std::function<double()> fn) {
  std::lock_guard lk(mu_);
  child(name, help, Type::kCounter, labels).fn = std::move(fn);
}

void MetricsRegistry::removeFn(const std::string& name, const MetricLabels& labels) {
  std::lock_guard lk(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  for (auto& c : it->second.children)
    if (c.labels == labels) c.fn = nullptr;
}

namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '"') out += "\\\"";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string LabelText(const MetricLabels& a, const MetricLabels& b, const std::string& le = "") {
  std::string out;
  auto add = [&](const std::string& k, const std::string& v) {
    out += out.empty() ? "{" : ",";
    out += k + "=\"" + EscapeLabel(v) + "\"";
  };
  for (auto& [k, v] : b) add(k, v);
  for (auto& [k, v] : a) add(k, v);
  if (!le.empty()) add("le", le);
  if (!out.empty()) out += "}";
  return out;
}

std::string Num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

const char* TypeName(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::kCounter: return "counter";
    case MetricsRegistry::Type::kGauge: return "gauge";
    case MetricsRegistry::Type::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string MetricsRegistry::Prometheus(const MetricLabels& extra) const {
  std::lock_guard lk(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    std::string series;
    for (const auto& c : fam.children) {
      if (c.h) {
        auto counts = c.h->counts();
        uint64_t cum = 0;
        for (size_t i = 0; i < counts.size(); i++) {
          cum += counts[i];
          std::string le = i < c.h->bounds().size() ? Num(c.h->bounds()[i]) : "+Inf";
          series += name + "_bucket" + LabelText(c.labels, extra, le) + " " + std::to_string(cum) + "\n";
        }
        series += name + "_sum" + LabelText(c.labels, extra) + " " + Num(c.h->sum()) + "\n";
        series += name + "_count" + LabelText(c.labels, extra) + " " + std::to_string(cum) + "\n";
      } else if (c.fn) {
        series += name + LabelText(c.labels, extra) + " " + Num(c.fn()) + "\n";
      } else if (c.c) {
        series += name + LabelText(c.labels, extra) + " " + std::to_string(c.c->value()) + "\n";
      } else if (c.g) {
        series += name + LabelText(c.labels, extra) + " " + std::to_string(c.g->value()) + "\n";
      }
    }
    if (series.empty()) continue;
    out += "# HELP " + name + " " + EscapeHelp(fam.help) + "\n";
    out += "# TYPE " + name + " " + TypeName(fam.type) + "\n";
    out += series;
  }
  return out;
}

std::string MetricsRegistry::Text() const {
  std::lock_guard lk(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    for (const auto& c : fam.children) {
      const std::string labels = LabelText(c.labels, {});
      if (c.h) {
        out += name + "_count" + labels + " " + std::to_string(c.h->count()) + "\n";
        out += name + "_sum" + labels + " " + Num(c.h->sum()) + "\n";
      } else if (c.fn) {
        out += name + labels + " " + Num(c.fn()) + "\n";
      } else if (c.c) {
        out += name + labels + " " + std::to_string(c.c->value()) + "\n";
      } else if (c.g) {
        out += name + labels + " " + std::to_string(c.g->value()) + "\n";
      }
    }
  }
  return out;
}

}  // namespace slicefs
