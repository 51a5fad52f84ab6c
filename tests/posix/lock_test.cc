// flock and fcntl record locks through the mount, including blocking waits
// woken by a release and interrupted by a signal.
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <thread>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class LockTest : public MountedTest {};

// Runs fn in a child process; returns its exit code.
int InChild(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F(LockTest, Flock) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  int a = open(P("f").c_str(), O_RDWR);
  int b = open(P("f").c_str(), O_RDWR);  // another open file description
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(flock(a, LOCK_EX));
  EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  EXPECT_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
  ASSERT_OK(flock(a, LOCK_UN));
  ASSERT_OK(flock(b, LOCK_SH | LOCK_NB));
  ASSERT_OK(flock(a, LOCK_SH | LOCK_NB));  // shared with shared
  EXPECT_ERRNO(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  ASSERT_OK(flock(b, LOCK_UN));
  ASSERT_OK(flock(a, LOCK_EX | LOCK_NB));  // upgrade once alone
  // Closing the last descriptor of the description releases its lock.
  close(a);
  ASSERT_OK(flock(b, LOCK_EX | LOCK_NB));
  // A blocked LOCK_EX waits until the holder releases.
  std::string path = P("f");
  auto start = std::chrono::steady_clock::now();
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    flock(b, LOCK_UN);
  });
  int c = open(path.c_str(), O_RDWR);
  ASSERT_OK(flock(c, LOCK_EX));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  releaser.join();
  close(c);
  close(b);
}

TEST_F(LockTest, FcntlConflictsBetweenProcesses) {
  ASSERT_TRUE(WriteFile(P("r"), std::string(100, 'x')));
  std::string path = P("r");
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_OK(fd);
  ASSERT_OK(SetLk(fd, F_WRLCK, 10, 10));   // [10, 20)
  ASSERT_OK(SetLk(fd, F_RDLCK, 50, 0));    // [50, EOF)
  pid_t me = getpid();
  int rc = InChild([&] {
    int f = open(path.c_str(), O_RDWR);
    if (f < 0) return 1;
    if (SetLk(f, F_WRLCK, 0, 10) != 0) return 2;          // no overlap
    if (SetLk(f, F_RDLCK, 15, 1) == 0 || errno != EAGAIN) return 3;
    if (SetLk(f, F_RDLCK, 60, 5) != 0) return 4;          // read with read
    if (SetLk(f, F_WRLCK, 70, 5) == 0 || errno != EAGAIN) return 5;
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 12;
    fl.l_len = 2;
    if (fcntl(f, F_GETLK, &fl) != 0) return 6;
    if (fl.l_type != F_WRLCK || fl.l_start != 10 || fl.l_len != 10 || fl.l_pid != me) return 7;
    fl.l_type = F_WRLCK;
    fl.l_start = 30;
    fl.l_len = 5;
    if (fcntl(f, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK) return 8;
    return 0;
  });
  EXPECT_EQ(rc, 0);
  // Our own locks never conflict with us; unlocking a middle part splits.
  ASSERT_OK(SetLk(fd, F_WRLCK, 0, 100));
  ASSERT_OK(SetLk(fd, F_UNLCK, 40, 10));
  rc = InChild([&] {
    int f = open(path.c_str(), O_RDWR);
    if (SetLk(f, F_WRLCK, 40, 10) != 0) return 1;
    if (SetLk(f, F_WRLCK, 39, 1) == 0 || errno != EAGAIN) return 2;
    return 0;
  });
  EXPECT_EQ(rc, 0);
  // Closing any descriptor of the file drops the process's locks.
  int other = open(path.c_str(), O_RDONLY);
  close(other);
  rc = InChild([&] {
    int f = open(path.c_str(), O_RDWR);
    return SetLk(f, F_WRLCK, 0, 0) == 0 ? 0 : errno;
  });
  EXPECT_EQ(rc, 0);
  close(fd);
  // Lock type must match the descriptor's mode.
  fd = open(path.c_str(), O_RDONLY);
  EXPECT_ERRNO(SetLk(fd, F_WRLCK, 0, 1), EBADF);
  close(fd);
}

TEST_F(LockTest, BlockingSetlkwWakesAndInterrupts) {
  ASSERT_TRUE(WriteFile(P("w"), "x"));
  std::string path = P("w");
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_OK(fd);
  ASSERT_OK(SetLk(fd, F_WRLCK, 0, 0));
  // A child waits in F_SETLKW; we release after 300 ms; it must get the lock.
  int pipefd[2];
  ASSERT_OK(pipe(pipefd));
  pid_t pid = fork();
  if (pid == 0) {
    int f = open(path.c_str(), O_RDWR);
    auto t0 = std::chrono::steady_clock::now();
    int r = SetLk(f, F_WRLCK, 0, 0, true);
    auto waited = std::chrono::steady_clock::now() - t0;
    _exit(r != 0 ? 1 : waited < std::chrono::milliseconds(200) ? 2 : 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_OK(SetLk(fd, F_UNLCK, 0, 0));
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
  // A waiter interrupted by a signal gets EINTR (no FUSE worker held forever).
  ASSERT_OK(SetLk(fd, F_WRLCK, 0, 0));
  pid = fork();
  if (pid == 0) {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    sigaction(SIGUSR1, &sa, nullptr);  // no SA_RESTART
    int f = open(path.c_str(), O_RDWR);
    int r = SetLk(f, F_WRLCK, 0, 0, true);
    _exit(r == -1 && errno == EINTR ? 0 : 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  kill(pid, SIGUSR1);
  auto t0 = std::chrono::steady_clock::now();
  bool done = false;
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
    if (waitpid(pid, &st, WNOHANG) == pid) {
      done = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!done) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
  EXPECT_TRUE(done) << "F_SETLKW was not interrupted";
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
  close(fd);
  // After all that, the lock is free.
  EXPECT_EQ(InChild([&] {
    int f = open(path.c_str(), O_RDWR);
    return SetLk(f, F_WRLCK, 0, 0) == 0 ? 0 : errno;
  }), 0);
}

}  // namespace
}  // namespace slicefs::testing
