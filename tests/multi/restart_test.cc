// The metadata server (redis, postgres, etcd) is stopped and restarted on
// the same port and data directory while a process writes files through a
// mount: the mount survives, every operation returns within a bound with
// success or EIO, and every file that was closed successfully reads back
// exactly afterwards, through this mount and through a fresh one.
#include <sys/mman.h>

#include <atomic>
#include <map>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiServerRestart : public MultiMountTest {};

constexpr auto kDowntime = 2000ms;
// Longest any one write+close may take: the outage, the server's restart
// and the engines' reconnect backoff (a hang shows up as a missing report).
constexpr auto kOpBound = 45s;

std::string Content(int i) { return Pattern(1000 + (i * 7919) % 150000, static_cast<uint32_t>(i)); }

// Writes file i and closes it: 0, or the errno of the first failing call.
int WriteOne(const std::string& path, int i) {
  std::string data = Content(i);
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return errno;
  int err = 0;
  if (write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) err = errno ? errno : EIO;
  if (close(fd) != 0 && err == 0) err = errno;
  return err;
}

TEST_P(MultiServerRestart, MountSurvivesMetadataServerRestart) {
  MOUNT_OR_RETURN(a);
  ASSERT_EQ(mkdir((*a / "w").c_str(), 0755), 0);
  // The writer is a child process so that a hung syscall cannot hang the
  // test; it stops when the parent sets *stop.
  auto* stop = static_cast<std::atomic<int>*>(
      mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(stop, MAP_FAILED);
  new (stop) std::atomic<int>(0);
  const std::string dir = *a / "w";
  ChildProcess writer([&](ChildProcess& c) {
    for (int i = 0; stop->load() == 0; i++) {
      c.Report(WriteOne(dir + "/f" + std::to_string(i), i));
    }
    return 0;
  });
  std::map<int, int> result;  // file index -> errno of its write+close
  int okBefore = 0, okAfter = 0;
  std::atomic<bool> restarted{false};
  Status restart;
  auto last = std::chrono::steady_clock::now();
  std::chrono::milliseconds maxGap{0};  // longest wait for one write+close
  auto readReport = [&]() -> bool {
    auto r = writer.Next(kOpBound);
    if (!r) return false;
    auto now = std::chrono::steady_clock::now();
    maxGap = std::max(maxGap, std::chrono::duration_cast<std::chrono::milliseconds>(now - last));
    last = now;
    int i = static_cast<int>(result.size());
    result[i] = *r;
    if (*r == 0) (restarted ? okAfter : okBefore)++;
    return true;
  };
  bool hung = false;
  while (okBefore < 20 && !hung) hung = !readReport();
  std::thread restarter([&] {
    restart = RestartEngineServer(GetParam(), kDowntime);
    restarted = true;
  });
  auto start = std::chrono::steady_clock::now();
  // Keep writing through the outage until 20 more files succeed after it.
  while (!hung && !(restarted && okAfter >= 20)) {
    hung = !readReport();
    if (std::chrono::steady_clock::now() - start > kOpBound + 60s) break;
  }
  stop->store(1);
  restarter.join();
  ASSERT_TRUE(restart.ok()) << restart.ToString();
  if (!hung) {
    while (readReport()) {
    }
  }
  auto exited = writer.Join(hung ? 0ms : kOpBound);
  writer.Kill();
  munmap(stop, sizeof(std::atomic<int>));
  ASSERT_FALSE(hung) << "a write/close hung for over " << kOpBound.count() << " ms after file "
                     << result.size() << " (server restart)";
  EXPECT_EQ(exited, 0);
  EXPECT_GE(okAfter, 20) << "no progress after the restart";
  int eio = 0;
  for (auto [i, err] : result) {
    if (err == EIO) eio++;
    EXPECT_TRUE(err == 0 || err == EIO) << "file " << i << ": " << std::strerror(err);
  }
  std::fprintf(stderr, "[multi] %zu files written, %d ok before the restart, %d after, %d EIO; longest wait %lld ms\n",
               result.size(), okBefore, okAfter, eio, static_cast<long long>(maxGap.count()));
  // The workload really ran into the outage (one operation waited for it).
  EXPECT_GE(maxGap, kDowntime / 2) << "no write waited for the server: was it really down?";
  ASSERT_TRUE(a->mounted());
  // Everything closed successfully is there, byte-exact: on this mount...
  for (auto [i, err] : result) {
    if (err == 0 && ReadFile(dir + "/f" + std::to_string(i)) != Content(i)) ADD_FAILURE() << "f" << i << " differs on A";
  }
  // ...and on a fresh mount, which reads the restarted server.
  MOUNT_OR_RETURN(b);
  for (auto [i, err] : result) {
    if (err == 0 && ReadFile(*b / ("w/f" + std::to_string(i))) != Content(i))
      ADD_FAILURE() << "f" << i << " differs on a fresh mount";
  }
  // The surviving mount still works.
  ASSERT_TRUE(WriteFile(*a / "after", "after the restart"));
  EXPECT_EQ(ReadFile(*b / "after"), "after the restart");
}

// Engines with a server to restart (sqlite3 has none).
INSTANTIATE_TEST_SUITE_P(Engines, MultiServerRestart, ::testing::Values("redis", "postgres", "etcd"),
                         EngineParamName);

}  // namespace
}  // namespace slicefs::testing
