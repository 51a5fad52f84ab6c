// Metadata API benchmark: create, stat (lookup), readdir, open+close (each
// file once: its first open in the session), reopen+close (one file N times),
// rename and unlink of N entries in one directory, through the Meta API (not FUSE), for every
// available engine of tests/support/engines.h. Prints two tables: operations
// per second, and per-operation latency (p50 / p99; readdir: per batch of
// 1,000 entries with attributes).
//
//   build/meta_bench [--n 10000] [--engines mem,sqlite3]
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "vfs/volume.h"
#include "support/engines.h"

using namespace slicefs;

namespace {

// One operation kind: throughput over the whole run and each call's latency.
struct OpStats {
  double perSec = 0;
  std::vector<double> us;  // latency of each timed call, microseconds
  double Pct(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    return us[std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())))];
  }
};

struct Row {
  std::string engine;
  OpStats create, stat, readdir, openClose, reopen, rename, unlink;
};

using Clock = std::chrono::steady_clock;

// Runs f(i) for i in [0, calls), timing each call; `units` is what the rate
// counts (calls, or entries for readdir).
template <class F>
OpStats Measure(int calls, double units, F&& f) {
  OpStats st;
  st.us.reserve(calls);
  auto t0 = Clock::now();
  for (int i = 0; i < calls; i++) {
    auto a = Clock::now();
    f(i);
    st.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  st.perSec = s > 0 ? units / s : 0;
  return st;
}

void Die(const std::string& what, const Status& st) {
  std::fprintf(stderr, "meta_bench: %s: %s\n", what.c_str(), st.ToString().c_str());
  std::exit(1);
}

template <class T>
T Need(Result<T> r, const std::string& what) {
  if (!r) Die(what, r.error());
  return std::move(*r);
}
void Need(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

Row Run(const std::string& engine, const std::string& url, int n) {
  VolumeFormat f;
  f.name = "bench";
  f.storage = "mem";  // metadata only: no object is written
  f.bucket = "meta-bench-" + engine;
  f.trashDays = 0;
  Need(Volume::Create(url, f, false), "format");
  VolumeOptions vo;
  vo.openData = false;
  auto vol = Need(Volume::Open(url, vo), "open " + engine);
  Meta* meta = &vol->meta();
  Need(meta->NewSession(SessionInfo{"bench", "", 0, "bench"}), "session");
  const Ctx root = Ctx::Root();
  Ino dir = Need(meta->Mkdir(root, kRootIno, "bench", 0755, 0), "mkdir").ino;
  std::vector<std::string> names(n);
  for (int i = 0; i < n; i++) names[i] = "file-" + std::to_string(i);
  Row r;
  r.engine = engine;
  r.create = Measure(n, n, [&](int i) { Need(meta->Mknod(root, dir, names[i], S_IFREG | 0644, 0, 0), "create"); });
  r.stat = Measure(n, n, [&](int i) { Need(meta->Lookup(root, dir, names[i]), "lookup"); });
  const int batch = 1000, batches = (n + batch - 1) / batch;
  std::string after;
  size_t total = 0;
  r.readdir = Measure(batches, n, [&](int) {
    auto got = Need(meta->Readdir(root, dir, after, batch, true), "readdir");
    total += got.size();
    if (!got.empty()) after = got.back().name;
  });
  if (total != static_cast<size_t>(n)) Die("readdir", Status::IOError("lost entries"));
  std::vector<Ino> inos;
  for (auto& nm : names) inos.push_back(Need(meta->Lookup(root, dir, nm), "lookup").ino);
  auto openClose = [&](Ino ino) {
    Need(meta->Open(root, ino, O_RDONLY), "open");
    Need(meta->Close(ino), "close");
  };
  r.openClose = Measure(n, n, [&](int i) { openClose(inos[i]); });
  r.reopen = Measure(n, n, [&](int) { openClose(inos[0]); });
  r.rename = Measure(n, n, [&](int i) { Need(meta->Rename(root, dir, names[i], dir, names[i] + ".r", 0), "rename"); });
  r.unlink = Measure(n, n, [&](int i) { Need(meta->Unlink(root, dir, names[i] + ".r"), "unlink"); });
  Need(meta->CloseSession(), "close session");
  (void)meta->kv().dropAll();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10000;
  std::vector<std::string> only;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--n") && i + 1 < argc) {
      n = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--engines") && i + 1 < argc) {
      std::string list = argv[++i];
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t c = list.find(',', pos);
        if (c == std::string::npos) c = list.size();
        only.push_back(list.substr(pos, c - pos));
        pos = c + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--n N] [--engines mem,sqlite3,...]\n", argv[0]);
      return 2;
    }
  }
  if (n <= 0) {
    std::fprintf(stderr, "meta_bench: --n must be positive\n");
    return 2;
  }
  std::vector<Row> rows;
  for (const auto& engine : slicefs::testing::EngineNames()) {
    if (!only.empty() && std::find(only.begin(), only.end(), engine) == only.end()) continue;
    auto url = slicefs::testing::FreshEngineUrl(engine);
    if (!url) {
      std::fprintf(stderr, "meta_bench: skipping %s: %s\n", engine.c_str(), url.error().ToString().c_str());
      continue;
    }
    rows.push_back(Run(engine, *url, n));
  }
  std::printf("Meta API, one client, one thread, %d entries in one directory (operations per second)\n\n", n);
  std::printf("| engine   |   create |     stat | readdir (entries) | open+close | reopen+close |   rename |   unlink |\n");
  std::printf("|----------|---------:|---------:|------------------:|-----------:|-------------:|---------:|---------:|\n");
  for (auto& r : rows) {
    std::printf("| %-8s | %8.0f | %8.0f | %17.0f | %10.0f | %12.0f | %8.0f | %8.0f |\n", r.engine.c_str(),
                r.create.perSec, r.stat.perSec, r.readdir.perSec, r.openClose.perSec, r.reopen.perSec,
                r.rename.perSec, r.unlink.perSec);
  }
  std::printf("\nLatency per operation, microseconds, p50 / p99 (readdir: one batch of %d entries with attributes)\n\n",
              1000);
  std::printf("| engine   | create | stat | readdir batch | open+close | reopen+close | rename | unlink |\n");
  std::printf("|----------|-------:|-----:|--------------:|-----------:|-------------:|-------:|-------:|\n");
  for (auto& r : rows) {
    std::printf("| %-8s |", r.engine.c_str());
    for (OpStats* o : {&r.create, &r.stat, &r.readdir, &r.openClose, &r.reopen, &r.rename, &r.unlink})
      std::printf(" %.0f / %.0f |", o->Pct(0.5), o->Pct(0.99));
    std::printf("\n");
  }
  return 0;
}
