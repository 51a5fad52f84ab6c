// slicefs stats MOUNTPOINT: a live, dstat-like view of one mount, computed
// from two readings of its .stats file per interval.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>

#include "cli/command.h"
#include "cli/mount_files.h"

namespace slicefs::cli {
namespace {

struct StatsArgs {
  std::string path;
  double interval = 1;
  int verbosity = 0;
  int count = 0;  // 0: until interrupted
};

constexpr double kMiB = 1024.0 * 1024.0;

struct Reading {
  StatsSample s;
  std::chrono::steady_clock::time_point at;
};

enum class Fmt { kRate, kMs, kPercent, kMiB };

struct Column {
  const char* group;
  const char* name;
  Fmt fmt;
  // The value from the previous and the current reading and the seconds
  // between them; nullopt shows "-".
  std::function<std::optional<double>(const StatsSample&, const StatsSample&, double)> value;
};

using Getter = std::function<double(const StatsSample&)>;

Getter Series(std::string name, std::string needle = "") {
  return [name, needle](const StatsSample& s) { return SumOf(s, name, needle); };
}

Column Rate(const char* g, const char* n, Getter get, double scale = 1) {
  return {g, n, scale == 1 ? Fmt::kRate : Fmt::kMiB,
          [get, scale](const StatsSample& a, const StatsSample& b, double dt) -> std::optional<double> {
            return dt > 0 ? std::optional((get(b) - get(a)) / dt / scale) : std::nullopt;
          }};
}

// Average latency in ms over the interval of histogram `name` (filtered).
Column Latency(const char* g, const char* n, const std::string& name, const std::string& needle = "") {
  Getter cnt = Series(name + "_count", needle), sum = Series(name + "_sum", needle);
  return {g, n, Fmt::kMs, [cnt, sum](const StatsSample& a, const StatsSample& b, double) -> std::optional<double> {
            double dc = cnt(b) - cnt(a);
            if (dc <= 0) return std::nullopt;
            return (sum(b) - sum(a)) / dc * 1000;
          }};
}

std::vector<Column> Columns(int verbosity) {
  std::vector<Column> c;
  c.push_back(Rate("fuse", "ops", Series("slicefs_fuse_op_duration_seconds_count")));
  c.push_back(Latency("fuse", "lat", "slicefs_fuse_op_duration_seconds"));
  if (verbosity > 0) {
    for (const char* op : {"lookup", "getattr", "read", "write"}) {
      c.push_back(Rate("fuse", op, Series("slicefs_fuse_op_duration_seconds_count", std::string("op=\"") + op + "\"")));
    }
    c.push_back(Rate("fuse", "err", Series("slicefs_fuse_op_errors_total")));
  }
  c.push_back(Rate("meta", "txn", Series("slicefs_meta_txn_total")));
  c.push_back(Latency("meta", "lat", "slicefs_meta_txn_duration_seconds"));
  if (verbosity > 0) {
    c.push_back(Rate("meta", "confl", Series("slicefs_meta_txn_conflicts_total")));
    c.push_back(Rate("meta", "retry", Series("slicefs_meta_txn_retries_total")));
  }
  c.push_back(Rate("object", "get", Series("slicefs_object_request_bytes_total", "method=\"GET\""), kMiB));
  c.push_back(Rate("object", "put", Series("slicefs_object_request_bytes_total", "method=\"PUT\""), kMiB));
  c.push_back(Latency("object", "glat", "slicefs_object_request_duration_seconds", "method=\"GET\""));
  c.push_back(Latency("object", "plat", "slicefs_object_request_duration_seconds", "method=\"PUT\""));
  if (verbosity > 0) c.push_back(Rate("object", "err", Series("slicefs_object_request_errors_total")));
  Getter hits = Series("slicefs_block_cache_hits_total"), gets = Series("slicefs_block_gets_total");
  c.push_back({"cache", "hit%", Fmt::kPercent,
               [hits, gets](const StatsSample& a, const StatsSample& b, double) -> std::optional<double> {
                 double h = hits(b) - hits(a), m = gets(b) - gets(a);
                 if (h + m <= 0) return std::nullopt;
                 return 100 * h / (h + m);
               }});
  Getter used = Series("slicefs_buffer_used_bytes");
  c.push_back({"buffer", "used", Fmt::kMiB, [used](const StatsSample&, const StatsSample& b, double) {
                 return std::optional(used(b) / kMiB);
               }});
  Getter cpu = Series("process_cpu_seconds_total"), rss = Series("process_resident_memory_bytes");
  c.push_back({"process", "cpu%", Fmt::kPercent,
               [cpu](const StatsSample& a, const StatsSample& b, double dt) -> std::optional<double> {
                 return dt > 0 ? std::optional(100 * (cpu(b) - cpu(a)) / dt) : std::nullopt;
               }});
  c.push_back({"process", "rss", Fmt::kMiB, [rss](const StatsSample&, const StatsSample& b, double) {
                 return std::optional(rss(b) / kMiB);
               }});
  return c;
}

constexpr int kWidth = 7;

std::string Format(Fmt f, std::optional<double> v) {
  if (!v) return "-";
  char buf[32];
  double x = *v;
  switch (f) {
    case Fmt::kRate:
      if (x < 1000) std::snprintf(buf, sizeof buf, "%.0f", x);
      else if (x < 1e6) std::snprintf(buf, sizeof buf, "%.1fK", x / 1e3);
      else std::snprintf(buf, sizeof buf, "%.1fM", x / 1e6);
      break;
    case Fmt::kMs: std::snprintf(buf, sizeof buf, x < 10 ? "%.2f" : x < 1000 ? "%.1f" : "%.0f", x); break;
    case Fmt::kPercent: std::snprintf(buf, sizeof buf, "%.1f", x); break;
    case Fmt::kMiB: std::snprintf(buf, sizeof buf, x < 100 ? "%.1f" : "%.0f", x); break;
  }
  return buf;
}

std::string Pad(const std::string& s, size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }

struct Painter {
  bool on;
  std::string operator()(const char* code, const std::string& s) const {
    return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
};

// Two header lines: groups spanning their columns, then column names.
std::string Header(const std::vector<Column>& cols, const Painter& paint) {
  std::string groups, names;
  for (size_t i = 0; i < cols.size();) {
    size_t j = i;
    while (j < cols.size() && std::string(cols[j].group) == cols[i].group) j++;
    size_t w = (j - i) * (kWidth + 1) - 1;
    std::string g = std::string(cols[i].group);
    std::string dashed = std::string((w - std::min(w, g.size())) / 2, '-') + g;
    dashed += std::string(w - std::min(w, dashed.size()), '-');
    groups += (i ? "|" : "") + paint("1;34", dashed);
    for (size_t k = i; k < j; k++) names += (k == i ? (i ? "|" : "") : " ") + paint("1", Pad(cols[k].name, kWidth));
    i = j;
  }
  return groups + "\n" + names + "\n";
}

std::string Row(const std::vector<Column>& cols, const Reading& a, const Reading& b, const Painter& paint) {
  double dt = std::chrono::duration<double>(b.at - a.at).count();
  std::string out;
  for (size_t k = 0; k < cols.size(); k++) {
    auto v = cols[k].value(a.s, b.s, dt);
    std::string s = Pad(Format(cols[k].fmt, v), kWidth);
    bool newGroup = k > 0 && std::string(cols[k].group) != cols[k - 1].group;
    out += k == 0 ? "" : newGroup ? "|" : " ";
    out += (!v || *v == 0) ? paint("2", s) : paint("32", s);
  }
  return out + "\n";
}

Reading Sample(const std::string& root) {
  auto text = ReadMountFile(root, ".stats");
  if (!text) throw CommandError(text.error().message() + " (was the mount unmounted?)");
  return {ParseStats(*text), std::chrono::steady_clock::now()};
}

void Run(const StatsArgs& a) {
  auto root = SlicefsMountRoot(a.path);
  if (!root) throw CommandError(root.error().message());
  if (a.interval <= 0) throw CommandError("--interval must be positive");
  Painter paint{::isatty(1) && std::getenv("NO_COLOR") == nullptr};
  auto cols = Columns(a.verbosity);
  Reading prev = Sample(*root);
  for (int line = 0; a.count == 0 || line < a.count; line++) {
    if (line % 20 == 0) std::fputs(Header(cols, paint).c_str(), stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(a.interval));
    Reading cur = Sample(*root);
    std::fputs(Row(cols, prev, cur, paint).c_str(), stdout);
    std::fflush(stdout);
    prev = std::move(cur);
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<StatsArgs>();
  auto* c = app.add_subcommand("stats", "live per-interval figures of a mount (MOUNTPOINT)");
  c->add_option("MOUNTPOINT", a->path, "a slicefs mount point (or a path inside one)")->required();
  c->add_option("--interval", a->interval, "seconds between lines")->capture_default_str();
  c->add_option("--verbosity", a->verbosity, "0: summary columns; 1: also per-op and error columns")
      ->capture_default_str()
      ->check(CLI::Range(0, 1));
  c->add_option("--count", a->count, "stop after this many lines (0: run until interrupted)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("stats", Setup);

}  // namespace slicefs::cli
