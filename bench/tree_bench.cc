// rmr and trash-purge benchmark: a tree of N files (100 per directory by
// default 1,000 directories x 100 files) on a real mount, removed with
// `slicefs rmr --skip-trash` (batched deletion in the mount), moved into the
// trash with `slicefs rmr`, and the expired trash hour purged by
// Meta::CleanTrash (what the background job runs), timed each.
//
//   build/tree_bench [--n 100000] [--per-dir 100] [--engine sqlite3]
//
// The tree is created directly through Meta (not timed). Prints one line
// per phase with entries/s.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/clock.h"
#include "support/engines.h"
#include "support/mount.h"
#include "vfs/volume.h"

using namespace slicefs;
using namespace slicefs::testing;

namespace {

double Secs(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Creates /name with n files in directories of perDir; returns entries.
uint64_t MakeTree(const std::string& url, const std::string& name, uint64_t n, uint64_t perDir) {
  VolumeOptions vo;
  vo.openData = false;
  auto vol = Volume::Open(url, vo);
  if (!vol) {
    std::fprintf(stderr, "open: %s\n", vol.error().ToString().c_str());
    std::exit(1);
  }
  Meta& m = (*vol)->meta();
  const Ctx root = Ctx::Root();
  auto top = m.Mkdir(root, kRootIno, name, 0755, 0);
  if (!top) std::exit(1);
  uint64_t entries = 1;
  Ino dir = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (i % perDir == 0) {
      dir = m.Mkdir(root, top->ino, "d" + std::to_string(i / perDir), 0755, 0)->ino;
      entries++;
    }
    if (!m.Mknod(root, dir, "f" + std::to_string(i % perDir), S_IFREG | 0644, 0, 0)) std::exit(1);
    entries++;
  }
  (void)m.FlushUsage();
  return entries;
}

void Phase(const char* what, uint64_t entries, double s) {
  std::printf("%-34s %9llu entries %8.2f s %10.0f entries/s\n", what, (unsigned long long)entries, s, entries / s);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 100000, perDir = 100;
  std::string engine = "sqlite3";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--n") n = std::stoull(argv[i + 1]);
    else if (a == "--per-dir") perDir = std::stoull(argv[i + 1]);
    else if (a == "--engine") engine = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: tree_bench [--n N] [--per-dir N] [--engine E]\n");
      return 2;
    }
  }
  auto url = FreshEngineUrl(engine);
  if (!url) {
    std::fprintf(stderr, "engine %s: %s\n", engine.c_str(), url.error().ToString().c_str());
    return 1;
  }
  VolumeSpec spec;
  spec.metaUrl = *url;
  spec.formatArgs = {"--trash-days", "1"};
  TestMount m(spec);
  if (!m.Format().ok()) return 1;
  std::printf("tree_bench: %llu files, %llu per directory, %s\n", (unsigned long long)n, (unsigned long long)perDir,
              engine.c_str());
  // 1. rmr --skip-trash.
  uint64_t entries = MakeTree(*url, "a", n, perDir);
  if (!m.Mount().ok()) return 1;
  std::string out;
  auto t0 = std::chrono::steady_clock::now();
  if (RunSlicefs({"rmr", "--skip-trash", "-q", m / "a"}, &out) != 0) {
    std::fprintf(stderr, "rmr: %s\n", out.c_str());
    return 1;
  }
  Phase("rmr --skip-trash", entries, Secs(t0));
  // 2. rmr into the trash (permission walk + one rename).
  if (!m.Unmount().ok()) return 1;
  entries = MakeTree(*url, "b", n, perDir);
  if (!m.Mount().ok()) return 1;
  t0 = std::chrono::steady_clock::now();
  if (RunSlicefs({"rmr", "-q", m / "b"}, &out) != 0) {
    std::fprintf(stderr, "rmr: %s\n", out.c_str());
    return 1;
  }
  Phase("rmr (into the trash)", entries, Secs(t0));
  if (!m.Unmount().ok()) return 1;
  // 3. The purge of that hour, two days later.
  {
    VolumeOptions vo;
    vo.openData = false;
    auto vol = Volume::Open(*url, vo);
    if (!vol) return 1;
    t0 = std::chrono::steady_clock::now();
    auto r = (*vol)->meta().CleanTrash(WallNs() + 2 * 86400LL * 1000000000LL);
    double s = Secs(t0);
    if (!r) {
      std::fprintf(stderr, "purge: %s\n", r.error().ToString().c_str());
      return 1;
    }
    Phase("trash purge (one expired hour)", static_cast<uint64_t>(*r), s);
  }
  return 0;
}
