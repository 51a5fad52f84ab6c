// Crash: kill -9 the mount process during heavy writes. After remount every
// file closed before the kill reads back exactly, and no file holds bytes
// that were never written (each byte is either the written one or zero,
// and no file is longer than what was written to it).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

TEST(MountCrash, KillDuringHeavyWrites) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_TRUE(m.Mount().ok());
  uint64_t seed = TestSeed("MountCrash.KillDuringHeavyWrites");
  std::mutex mu;
  std::map<std::string, std::string> closed;       // name -> content (close succeeded)
  std::map<std::string, size_t> attempted;          // name -> bytes we tried to write
  std::map<std::string, uint32_t> patternOf;        // name -> pattern seed
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; t++) {
    writers.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      for (int i = 0; !stop; i++) {
        std::string name = "w" + std::to_string(t) + "_" + std::to_string(i);
        size_t n = rng() % 3 == 0 ? (1 << 20) + rng() % (5 << 20) : rng() % 200000;
        uint32_t ps = static_cast<uint32_t>(rng());
        std::string data = Pattern(n, ps);
        {
          std::lock_guard lk(mu);
          attempted[name] = n;
          patternOf[name] = ps;
        }
        int fd = open((m / name).c_str(), O_CREAT | O_WRONLY, 0644);
        if (fd < 0) return;
        size_t off = 0;
        bool ok = true;
        while (off < n) {
          ssize_t w = write(fd, data.data() + off, std::min<size_t>(n - off, 256 << 10));
          if (w <= 0) {
            ok = false;
            break;
          }
          off += w;
        }
        if (close(fd) != 0) ok = false;
        if (!ok) return;
        std::lock_guard lk(mu);
        if (!stop) closed[name] = std::move(data);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  std::map<std::string, std::string> closedAtKill;
  {
    std::lock_guard lk(mu);
    stop = true;  // a close finishing after this point is not counted
    closedAtKill = closed;
  }
  ASSERT_TRUE(m.Crash().ok());
  for (auto& w : writers) w.join();
  ASSERT_GT(closedAtKill.size(), 3u) << "the writers made too little progress";
  ASSERT_TRUE(m.Mount().ok());
  int checked = 0;
  for (auto& [name, data] : closedAtKill) {
    EXPECT_TRUE(ReadFile(m / name) == data) << name << " (closed before the kill) differs";
    checked++;
  }
  // Files in flight: a prefix-or-holes of what was written, never garbage.
  int inflight = 0;
  for (auto& [name, n] : attempted) {
    if (closedAtKill.count(name)) continue;
    struct stat st;
    if (stat((m / name).c_str(), &st) != 0) continue;  // create not committed
    inflight++;
    std::string got = ReadFile(m / name);
    EXPECT_LE(got.size(), n) << name;
    std::string want = Pattern(n, patternOf[name]);
    size_t bad = 0;
    for (size_t i = 0; i < got.size(); i++) {
      if (got[i] != want[i] && got[i] != 0) bad++;
    }
    EXPECT_EQ(bad, 0u) << name << ": bytes that were never written";
  }
  std::fprintf(stderr, "crash: %d closed files verified, %d in-flight files checked\n", checked, inflight);
}

}  // namespace
}  // namespace slicefs::testing
