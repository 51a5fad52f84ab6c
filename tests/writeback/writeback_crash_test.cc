// `mount --writeback` under kill -9: a tree is copied onto the mount by
// several threads, the mount process is killed mid-copy (with blocks still
// staged, not uploaded), and after a remount with the same cache directory
// every file whose close returned before the kill reads back exactly, the
// staging directory empties, and fsck finds every referenced object in the
// bucket. The same with the S3 server down from before the copy until after
// the kill. And: fsck calls staged blocks staged (not lost), and `slicefs
// status` counts them.
#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"
#include "support/s3_server.h"

namespace slicefs::testing {
namespace {

using namespace std::chrono_literals;

// Regular files under the staging directories of a TestMount's cache.
size_t StagedFiles(const TestMount& m) {
  size_t n = 0;
  std::error_code ec;
  glob_t g{};
  if (::glob((m.dir() + "/cache/*/writeback").c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) {
      for (auto it = std::filesystem::recursive_directory_iterator(g.gl_pathv[i], ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().parent_path().filename() != ".tmp") n++;
      }
    }
  }
  globfree(&g);
  return n;
}

struct Copy {
  std::mutex mu;
  std::map<std::string, std::string> closed;  // relative path -> content, close returned 0
  std::atomic<bool> stop{false};
  std::atomic<int> files{0};
};

// Writes files "d{k}/f{i}" (sizes from 0 to ~5 MiB, mostly small) from
// `threads` threads until copy.stop or `limit` files per thread.
std::vector<std::thread> StartCopy(const TestMount& m, Copy& copy, uint64_t seed, int threads, int limit) {
  std::vector<std::thread> out;
  for (int t = 0; t < threads; t++) {
    out.emplace_back([&m, &copy, seed, t, limit] {
      std::mt19937_64 rng(seed + t);
      for (int i = 0; i < limit && !copy.stop; i++) {
        const std::string dir = "t" + std::to_string(t) + "/d" + std::to_string(i / 20);
        std::filesystem::create_directories(m / dir);
        const std::string rel = dir + "/f" + std::to_string(i);
        const size_t n = rng() % 10 == 0 ? (1 << 20) + rng() % (4 << 20) : rng() % 70000;
        const std::string data = Pattern(n, static_cast<uint32_t>(rng()));
        int fd = open((m / rel).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) return;
        size_t off = 0;
        while (off < n) {
          ssize_t w = write(fd, data.data() + off, std::min<size_t>(n - off, 128 << 10));
          if (w <= 0) break;
          off += static_cast<size_t>(w);
        }
        const bool ok = off == n && close(fd) == 0;
        if (!ok) return;
        std::lock_guard lk(copy.mu);
        if (!copy.stop) copy.closed[rel] = data;
        copy.files++;
      }
    });
  }
  return out;
}

void ExpectIntact(const TestMount& m, const std::map<std::string, std::string>& files) {
  int bad = 0;
  for (const auto& [rel, data] : files) {
    if (ReadFile(m / rel) != data) {
      if (bad++ < 5) ADD_FAILURE() << rel << " (closed before the kill) differs";
    }
  }
  EXPECT_EQ(bad, 0);
}

// fsck of the volume: exit code, output in *out.
int Fsck(const TestMount& m, std::string* out) { return RunSlicefs({"fsck", m.metaUrl()}, out); }

// Kill during the copy, remount, wait for the uploads, verify; then fsck
// finds every object in the bucket.
void KillDuringCopy(TestMount& m, S3Server* s3, uint64_t seed) {
  // A delay keeps blocks staged at the kill (uploads would otherwise race it).
  ASSERT_TRUE(m.Mount({"--writeback", "--upload-delay", "1h"}).ok());
  if (s3) {
    ASSERT_TRUE(s3->stop().ok());
  }
  Copy copy;
  auto threads = StartCopy(m, copy, seed, 3, 1000);
  for (int i = 0; i < 300 && copy.files < 60; i++) std::this_thread::sleep_for(20ms);
  std::map<std::string, std::string> closedAtKill;
  {
    std::lock_guard lk(copy.mu);
    copy.stop = true;  // a close returning after this is not counted
    closedAtKill = copy.closed;
  }
  ASSERT_TRUE(m.Crash().ok());
  for (auto& t : threads) t.join();
  ASSERT_GE(closedAtKill.size(), 30u) << "the copy made too little progress";
  const size_t staged = StagedFiles(m);
  EXPECT_GT(staged, 0u) << "nothing was left staged: the kill did not test writeback";
  std::fprintf(stderr, "writeback crash: %zu files closed before the kill, %zu blocks staged\n",
               closedAtKill.size(), staged);
  if (s3) {
    ASSERT_TRUE(s3->restart().ok());
  }
  // Remount: leftovers upload before the mount serves.
  ASSERT_TRUE(m.Mount({"--writeback"}).ok());
  EXPECT_EQ(StagedFiles(m), 0u) << "leftovers were not uploaded before the mount served";
  ExpectIntact(m, closedAtKill);
  ASSERT_TRUE(m.Unmount().ok());
  // Every referenced object is in the bucket now. (The killed mount's
  // unflushed usage deltas make fsck report counters: not this test's point.)
  std::string out;
  Fsck(m, &out);
  EXPECT_EQ(out.find("\nobjects:"), std::string::npos) << out;
  EXPECT_EQ(out.find("staged"), std::string::npos) << out;
  EXPECT_NE(out.find("fsck: "), std::string::npos) << out;
  // And without writeback, from the bucket.
  ASSERT_TRUE(m.Mount().ok());
  ExpectIntact(m, closedAtKill);
}

TEST(WritebackCrash, KillDuringTreeCopyLosesNothingClosed) {
  REQUIRE_FUSE();
  TestMount m;
  KillDuringCopy(m, nullptr, TestSeed("WritebackCrash.KillDuringTreeCopyLosesNothingClosed"));
}

TEST(WritebackCrash, KillWhileTheS3ServerIsDown) {
  REQUIRE_FUSE();
  std::string why;
  auto s3 = S3Server::Start();
  if (!s3) SKIP_OR_FAIL("s3rver unavailable: " + s3.error().ToString());
  VolumeSpec spec;
  spec.storage = "s3";
  spec.bucket = (*s3)->bucketUrl("wbcrash");
  spec.formatArgs.insert(spec.formatArgs.end(),
                         {"--access-key", S3Server::kAccessKey, "--secret-key", S3Server::kSecretKey});
  TestMount m(spec);
  KillDuringCopy(m, s3->get(), TestSeed("WritebackCrash.KillWhileTheS3ServerIsDown"));
}

// Staged blocks are known to fsck and status, alive or after a kill; an
// unlink before the upload means no upload at all.
TEST(WritebackCrash, FsckAndStatusKnowStagedBlocks) {
  REQUIRE_FUSE();
  TestMount m;
  // --heartbeat 1: the killed mount's session expires 5 s after the kill.
  ASSERT_TRUE(m.Mount({"--writeback", "--upload-delay", "1h", "--heartbeat", "1"}).ok());
  for (int i = 0; i < 10; i++) ASSERT_TRUE(WriteFile(m / ("f" + std::to_string(i)), Pattern(1000 + i, i)));
  ASSERT_TRUE(WriteFile(m / "short-lived", Pattern(5000, 99)));
  ASSERT_EQ(unlink((m / "short-lived").c_str()), 0);
  // Its slice is deleted in the background, soon.
  for (int i = 0; i < 200 && StagedFiles(m) > 10; i++) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(StagedFiles(m), 10u) << "the unlinked file's block should be dropped, not kept for upload";
  // The staging record is published every 2 s.
  std::string out;
  bool seen = false;
  for (int i = 0; i < 100 && !seen; i++) {
    RunSlicefs({"status", m.metaUrl()}, &out);
    seen = out.find("\"blocks\": 10") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(seen) << out;
  // The mount's metrics count them too.
  const std::string stats = ReadFile(m / ".stats");
  EXPECT_TRUE(std::regex_search(stats, std::regex("slicefs_writeback_pending_blocks(\\{[^}]*\\})? 10\n"))) << stats;
  EXPECT_EQ(Fsck(m, &out), 0) << out;
  EXPECT_NE(out.find("10 slices are staged by --writeback"), std::string::npos) << out;
  EXPECT_NE(out.find("that mount is running"), std::string::npos) << out;
  ASSERT_TRUE(m.Crash().ok());
  bool dead = false;
  for (int i = 0; i < 40 && !dead; i++) {
    Fsck(m, &out);
    dead = out.find("no mount is running there") != std::string::npos;
    if (!dead) std::this_thread::sleep_for(250ms);
  }
  EXPECT_TRUE(dead) << out;
  EXPECT_EQ(out.find("lost data"), std::string::npos) << out;
  EXPECT_NE(out.find("10 slices are staged by --writeback"), std::string::npos) << out;
  // Without the staging directory the blocks really are missing: fsck
  // without a record would call them lost. Remount uploads them.
  ASSERT_TRUE(m.Mount({"--writeback"}).ok());
  EXPECT_EQ(StagedFiles(m), 0u);
  for (int i = 0; i < 10; i++) EXPECT_EQ(ReadFile(m / ("f" + std::to_string(i))), Pattern(1000 + i, i));
  ASSERT_TRUE(m.Unmount().ok());
  Fsck(m, &out);
  EXPECT_EQ(out.find("\nobjects:"), std::string::npos) << out;
  EXPECT_EQ(out.find("staged"), std::string::npos) << out;
  RunSlicefs({"status", m.metaUrl()}, &out);
  EXPECT_NE(out.find("\"Writeback\": []"), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing
