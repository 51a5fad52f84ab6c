// Dump and load of a large volume: N files (default 1,000,000, in
// directories of 1,000, each with one 4 KiB slice) created through the
// metadata API (not FUSE) on an engine, then `slicefs dump` of it to a
// file and `slicefs load` of that file into a fresh engine of the same
// kind, each timed in its own process with its peak RSS (wait4's
// ru_maxrss). Prints one line per step.
//
//   build/dump_bench [--n 1000000] [--engine sqlite3] [--keep DIR]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_process.h"
#include "meta/meta.h"
#include "support/engines.h"
#include "support/test_util.h"

using namespace slicefs;
using Clock = std::chrono::steady_clock;

using slicefs::bench::Run;
using slicefs::bench::RunProcess;

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  int n = 1000000;
  std::string engine = "sqlite3";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) n = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--engine")) engine = argv[i + 1];
  }
  slicefs::testing::TempDir tmp("slicefs-dump-bench");
  auto srcUrl = slicefs::testing::FreshEngineUrl(engine);
  auto dstUrl = slicefs::testing::FreshEngineUrl(engine);
  if (!srcUrl || !dstUrl) {
    std::fprintf(stderr, "engine %s unavailable: %s\n", engine.c_str(),
                 (!srcUrl ? srcUrl.error() : dstUrl.error()).ToString().c_str());
    return 1;
  }
  {
    auto kv = OpenKvStore(*srcUrl);
    if (!kv) return 1;
    VolumeFormat f;
    f.name = "dumpbench";
    f.bucket = tmp.path() + "/bucket";
    f.trashDays = 0;
    if (Status st = Meta::Format(**kv, f, false); !st.ok()) {
      std::fprintf(stderr, "format: %s\n", st.ToString().c_str());
      return 1;
    }
    MetaOptions mo;
    mo.inodeBatch = 1000;
    mo.sliceIdBatch = 10000;
    auto meta = Meta::Open(std::move(*kv), mo);
    if (!meta) return 1;
    Ctx root = Ctx::Root();
    auto t0 = Clock::now();
    Ino dir = 0;
    for (int i = 0; i < n; i++) {
      if (i % 1000 == 0) dir = (*meta)->Mkdir(root, kRootIno, "d" + std::to_string(i / 1000), 0755, 0)->ino;
      auto e = (*meta)->Mknod(root, dir, "f" + std::to_string(i), S_IFREG | 0644, 0, 0);
      if (!e) {
        std::fprintf(stderr, "mknod: %s\n", e.error().ToString().c_str());
        return 1;
      }
      uint64_t id = *(*meta)->NewSliceId();
      (void)(*meta)->WriteSlice(e->ino, 0, SliceRecord{0, id, 4096, 0, 4096}, 1);
    }
    (void)(*meta)->CloseSession();
    std::printf("create %d files (Meta API, %s): %.1f s\n", n, engine.c_str(),
                std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const std::string bin = slicefs::testing::SlicefsBinary();
  for (const char* ext : {".json", ".json.gz"}) {
    std::string file = tmp.path() + "/dump" + ext;
    Run d = RunProcess({bin, "dump", *srcUrl, file});
    struct stat st {};
    stat(file.c_str(), &st);
    std::printf("dump %s -> %s: %.1f s, peak RSS %.1f MiB, %.1f MiB (rc %d)\n", engine.c_str(), ext, d.seconds,
                d.maxRssKiB / 1024.0, static_cast<double>(st.st_size) / (1 << 20), d.rc);
    auto dst = slicefs::testing::FreshEngineUrl(engine);
    Run l = RunProcess({bin, "load", *dst, file});
    std::printf("load %s <- %s: %.1f s, peak RSS %.1f MiB (rc %d)\n", engine.c_str(), ext, l.seconds,
                l.maxRssKiB / 1024.0, l.rc);
  }
  return 0;
}
