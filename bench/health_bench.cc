// fsck and gc of a large volume on the local-directory store: N files (default
// 1,000,000, in directories of 1,000), each with one 64-byte slice stored as
// one object, written directly (metadata keys in big transactions, objects
// through the file store on all cores), then timed in their own processes:
// a bare listing of the bucket (the floor), `slicefs fsck`, `slicefs gc`,
// and `slicefs gc --delete` after planting 1% leaked objects.
//
//   build/health_bench [--n 1000000] [--engine sqlite3] [--threads 4]
#include <sys/stat.h>
#include <utime.h>

#include <fcntl.h>

#include <atomic>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <thread>

#include "bench_process.h"
#include "chunk/block_key.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/meta.h"
#include "meta/slice_codec.h"
#include "support/engines.h"
#include "support/mount.h"
#include "support/test_util.h"
#include "vfs/volume.h"

using namespace slicefs;
using slicefs::bench::RunProcess;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kObjLen = 64;
constexpr int kPerDir = 1000;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Status WriteMetadata(KvStore& kv, int n) {
  const int dirs = (n + kPerDir - 1) / kPerDir;
  const int64_t now = 1796125107683874220LL;
  const Ino firstDir = 2, firstFile = 2 + dirs;
  for (int d = 0; d < dirs; d++) {
    RETURN_IF_ERROR(kv.txn([&](KvTxn& tx) -> Status {
      const Ino dino = firstDir + d;
      const Attr da{.type = FileType::kDir, .mode = 0755, .nlink = 2, .length = 4096,
                    .atimeNs = now, .mtimeNs = now, .ctimeNs = now, .parent = kRootIno};
      tx.put(keys::Attr(dino), EncodeAttr(da));
      tx.put(keys::Entry(kRootIno, "d" + std::to_string(d)), EncodeEntry(FileType::kDir, dino));
      for (int i = d * kPerDir; i < std::min(n, (d + 1) * kPerDir); i++) {
        const Ino ino = firstFile + i;
        const uint64_t id = 1 + i;
        Attr a;
        a.mode = 0644;
        a.length = kObjLen;
        a.atimeNs = a.mtimeNs = a.ctimeNs = now;
        a.parent = dino;
        tx.put(keys::Attr(ino), EncodeAttr(a));
        tx.put(keys::Entry(dino, "f" + std::to_string(i)), EncodeEntry(FileType::kFile, ino));
        tx.put(keys::Chunk(ino, 0), EncodeSliceRecords({SliceRecord{0, id, kObjLen, 0, kObjLen}}));
        tx.put(keys::SliceRef(id, kObjLen), EncodeCounter(1));
      }
      return Status::OK();
    }));
  }
  return kv.txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto rv, tx.get(keys::Attr(kRootIno)));
    if (!rv) return Status::IOError("no root");
    ASSIGN_OR_RETURN(Attr root, DecodeAttr(*rv));
    root.nlink = 2 + dirs;
    tx.put(keys::Attr(kRootIno), EncodeAttr(root));
    tx.put(keys::Counter(keys::kNextInode), EncodeCounter(firstFile + n));
    tx.put(keys::Counter(keys::kNextChunk), EncodeCounter(1 + n + 1000000));
    tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(static_cast<int64_t>(n) * 4096));
    tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(n + dirs));
    return Status::OK();
  });
}

// Objects as plain files of the file store's layout (no temporary file,
// no fsync: this only sets the bench up). Ids are split into ranges of
// 1000 per task so each directory is created once.
Status WriteObjects(const VolumeFormat& f, uint64_t firstId, int n, int threads, int ageSec) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  const std::string body(kObjLen, 'x');
  auto work = [&] {
    for (int start; (start = next.fetch_add(1000)) < n && !failed;) {
      std::string lastDir;
      for (int i = start; i < std::min(n, start + 1000); i++) {
        const std::string path = f.bucket + "/" + BlockObjectKey(f.name, false, firstId + i, 0, kObjLen);
        const std::string dir = path.substr(0, path.rfind('/'));
        if (dir != lastDir) {
          std::error_code ec;
          std::filesystem::create_directories(dir, ec);
          lastDir = dir;
        }
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || ::write(fd, body.data(), body.size()) != static_cast<ssize_t>(body.size())) failed = true;
        if (fd >= 0) ::close(fd);
        if (ageSec) {
          struct utimbuf t {};
          t.actime = t.modtime = ::time(nullptr) - ageSec;
          ::utime(path.c_str(), &t);
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  return failed ? Status::IOError("put failed") : Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  int n = 1000000, threads = 4;
  std::string engine = "sqlite3";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) n = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--engine")) engine = argv[i + 1];
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  slicefs::testing::TempDir tmp("slicefs-health-bench");
  auto url = slicefs::testing::FreshEngineUrl(engine);
  if (!url) {
    std::fprintf(stderr, "engine %s unavailable: %s\n", engine.c_str(), url.error().ToString().c_str());
    return 1;
  }
  VolumeFormat f;
  f.name = "healthbench";
  f.bucket = tmp.path() + "/bucket";
  f.trashDays = 0;
  auto fmt = Volume::Create(*url, f, false);
  if (!fmt) {
    std::fprintf(stderr, "format: %s\n", fmt.error().ToString().c_str());
    return 1;
  }
  auto t0 = Clock::now();
  {
    auto kv = OpenKvStore(*url);
    if (!kv || !WriteMetadata(**kv, n).ok()) return 1;
  }
  std::printf("metadata of %d files (%s, direct keys): %.1f s\n", n, engine.c_str(), Since(t0));
  auto store = Volume::OpenStorage(*fmt, true);
  if (!store) return 1;
  t0 = Clock::now();
  if (!WriteObjects(*fmt, 1, n, threads, 0).ok()) return 1;
  std::printf("%d objects of %u bytes (plain files, %d threads): %.1f s\n", n, kObjLen, threads, Since(t0));

  // The floor: the same paged listing fsck and gc do, twice (cold, warm).
  for (const char* pass : {"cold", "warm"}) {
    t0 = Clock::now();
    uint64_t listed = 0;
    std::string after;
    for (;;) {
      auto page = (*store)->list(ChunksPrefix(fmt->name), after, 1000);
      if (!page) return 1;
      listed += page->objects.size();
      if (!page->truncated || page->objects.empty()) break;
      after = page->objects.back().key;
    }
    const double listSec = Since(t0);
    std::printf("bare listing (%s): %llu objects in %.1f s (%.0f objects/s)\n", pass, (unsigned long long)listed,
                listSec, listed / listSec);
  }
  const std::string bin = slicefs::testing::SlicefsBinary();
  auto report = [&](const char* what, const bench::Run& r) {
    std::printf("%s: %.1f s (%.0f objects/s), peak RSS %.1f MiB, rc %d\n", what, r.seconds, n / r.seconds,
                r.maxRssKiB / 1024.0, r.rc);
  };
  report("fsck", RunProcess({bin, "fsck", *url}, tmp.path() + "/fsck.out"));
  report("fsck --no-objects", RunProcess({bin, "fsck", *url, "--no-objects"}, tmp.path() + "/fsck2.out"));
  report("gc", RunProcess({bin, "gc", *url}, tmp.path() + "/gc.out"));
  report("fsck (again)", RunProcess({bin, "fsck", *url}, tmp.path() + "/fsck3.out"));
  const int leaked = n / 100;
  if (!WriteObjects(*fmt, 1 + n + 10, leaked, threads, 7200).ok()) return 1;
  bench::Run del = RunProcess({bin, "gc", *url, "--delete", "--threads", "8"}, tmp.path() + "/gcdel.out");
  report("gc --delete (1% leaked)", del);
  std::string out = slicefs::testing::ReadFile(tmp.path() + "/gcdel.out");
  auto pos = out.find("deleted:");
  std::printf("  %s", pos == std::string::npos ? "(no deleted line)\n" : out.substr(pos, out.find('\n', pos) - pos + 1).c_str());
  return 0;
}
