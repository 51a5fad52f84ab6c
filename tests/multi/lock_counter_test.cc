// Mutual exclusion through one mount, the way build tools and package
// managers use a lock file: 100 processes each loop { open the lock file,
// try an exclusive lock without waiting, on EWOULDBLOCK close that
// descriptor, sleep 1 ms and retry }; the process that gets the lock reads a
// counter file, rewrites it with counter+1 (open O_WRONLY|O_TRUNC, write,
// close) and releases the lock only by closing its descriptor.
//
// On a local filesystem the counter ends at exactly 100, no holder ever
// overlaps another (checked with a shared-memory holder count) and no
// holder reads an empty counter. Run for flock and for fcntl record locks,
// with the kernel attribute cache off and on, on sqlite3 and redis.
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <atomic>
#include <tuple>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

enum class LockKind { kFlock, kFcntl };

using CounterParam = std::tuple<std::string, int, LockKind>;  // engine, attr cache seconds, lock kind

struct Shared {  // in MAP_SHARED memory, seen by every child
  std::atomic<int> holders;
  std::atomic<int> maxHolders;
  std::atomic<int> emptyReads;
  std::atomic<int> badReads;
};

constexpr int kProcs = 100;
constexpr auto kDeadline = 60s;

// 0 when the lock is taken, EWOULDBLOCK/EAGAIN/EACCES when busy, else errno.
int TryLock(int fd, LockKind kind) {
  if (kind == LockKind::kFlock) return flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
  return SetLk(fd, F_WRLCK, 0, 0) == 0 ? 0 : errno;
}

// One contender; returns its exit code (0 ok, else a step number).
int Contend(const std::string& lockPath, const std::string& counterPath, LockKind kind, Shared* sh) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  int fd;
  for (;;) {
    fd = open(lockPath.c_str(), O_RDWR);
    if (fd < 0) return 10;
    int e = TryLock(fd, kind);
    if (e == 0) break;
    if (e != EWOULDBLOCK && e != EAGAIN && e != EACCES) return 11;
    close(fd);
    if (std::chrono::steady_clock::now() > deadline) return 12;
    usleep(1000);
  }
  int now = sh->holders.fetch_add(1) + 1;
  int prev = sh->maxHolders.load();
  while (now > prev && !sh->maxHolders.compare_exchange_weak(prev, now)) {
  }
  std::string text = ReadFile(counterPath);
  if (text.empty()) sh->emptyReads.fetch_add(1);
  int value = 0;
  try {
    value = text.empty() ? 0 : std::stoi(text);
  } catch (...) {
    sh->badReads.fetch_add(1);
  }
  int w = open(counterPath.c_str(), O_WRONLY | O_TRUNC);
  if (w < 0) return 13;
  std::string next = std::to_string(value + 1);
  if (write(w, next.data(), next.size()) != static_cast<ssize_t>(next.size())) return 14;
  if (close(w) != 0) return 15;
  sh->holders.fetch_sub(1);
  if (close(fd) != 0) return 16;  // the only release
  return 0;
}

class MultiLockCounter : public ::testing::TestWithParam<CounterParam> {};

TEST_P(MultiLockCounter, HundredProcessesCountToHundred) {
  const auto& [engine, attrCache, kind] = GetParam();
  std::string why;
  if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  ENGINE_URL_OR_SKIP(url, engine);
  VolumeSpec spec;
  spec.metaUrl = url;
  const std::string secs = std::to_string(attrCache);
  spec.mountArgs = {"--attr-cache", secs, "--entry-cache", secs, "--dir-entry-cache", secs};
  TestMount m(spec);
  ASSERT_TRUE(m.Mount().ok());
  const std::string lockPath = m / "lock", counterPath = m / "counter";
  ASSERT_TRUE(WriteFile(lockPath, ""));
  ASSERT_TRUE(WriteFile(counterPath, "0"));

  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* sh = new (mem) Shared{};

  std::vector<pid_t> kids;
  for (int i = 0; i < kProcs; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(Contend(lockPath, counterPath, kind, sh));
    ASSERT_GT(pid, 0) << "fork: " << std::strerror(errno);
    kids.push_back(pid);
  }
  std::map<int, int> exitCodes;  // code -> how many children
  auto deadline = std::chrono::steady_clock::now() + kDeadline + 30s;
  for (pid_t pid : kids) {
    int st = 0;
    while (waitpid(pid, &st, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    exitCodes[WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)]++;
  }
  EXPECT_EQ(exitCodes[0], kProcs) << "some contenders failed (codes: see Contend)";
  for (auto [code, n] : exitCodes) {
    if (code != 0) ADD_FAILURE() << n << " contender(s) exited with " << code;
  }
  EXPECT_EQ(sh->maxHolders.load(), 1) << "two processes held the lock at once";
  EXPECT_EQ(sh->emptyReads.load(), 0) << "a holder read the counter between another's truncate and write";
  EXPECT_EQ(sh->badReads.load(), 0);
  EXPECT_EQ(ReadFile(counterPath), std::to_string(kProcs));
  munmap(mem, sizeof(Shared));
  EXPECT_TRUE(m.Unmount().ok());
  if (HasFailure()) {
    std::string log = ReadFile(m.logFile());
    ADD_FAILURE() << "mount log (tail):\n" << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  }
}

std::string CounterName(const ::testing::TestParamInfo<CounterParam>& info) {
  const auto& [engine, attrCache, kind] = info.param;
  return engine + "_attrcache" + std::to_string(attrCache) + (kind == LockKind::kFlock ? "_flock" : "_fcntl");
}

INSTANTIATE_TEST_SUITE_P(Engines, MultiLockCounter,
                         ::testing::Combine(::testing::Values(std::string("sqlite3"), std::string("redis")),
                                            ::testing::Values(0, 1),
                                            ::testing::Values(LockKind::kFlock, LockKind::kFcntl)),
                         CounterName);

}  // namespace
}  // namespace slicefs::testing
