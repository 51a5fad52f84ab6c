#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace slicefs::testing {

namespace {
bool WriteInt(int fd, int v) {
  for (;;) {
    ssize_t n = write(fd, &v, sizeof v);
    if (n == static_cast<ssize_t>(sizeof v)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

// Reads one int; false on EOF or error.
bool ReadInt(int fd, int* v) {
  size_t got = 0;
  char* p = reinterpret_cast<char*>(v);
  while (got < sizeof *v) {
    ssize_t n = read(fd, p + got, sizeof *v - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += n;
  }
  return true;
}
}  // namespace

ChildProcess::ChildProcess(const std::function<int(ChildProcess&)>& fn) {
  if (pipe2(toParent_, O_CLOEXEC) != 0 || pipe2(toChild_, O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::abort();
  }
  std::fflush(nullptr);
  pid_ = fork();
  if (pid_ < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid_ == 0) {
    close(toParent_[0]);
    close(toChild_[1]);
    int rc = fn(*this);
    _exit(rc & 0xff);
  }
  close(toParent_[1]);
  close(toChild_[0]);
  toParent_[1] = toChild_[0] = -1;
}

ChildProcess::~ChildProcess() {
  Kill();
  if (toParent_[0] >= 0) close(toParent_[0]);
  if (toChild_[1] >= 0) close(toChild_[1]);
}

std::optional<int> ChildProcess::Next(std::chrono::milliseconds timeout) {
  pollfd p{toParent_[0], POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    int v;
    if (!ReadInt(toParent_[0], &v)) return std::nullopt;
    return v;
  }
}

void ChildProcess::Go() { (void)WriteInt(toChild_[1], 1); }

std::optional<int> ChildProcess::Join(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::Kill() {
  if (pid_ <= 0 || reaped_) return;
  kill(pid_, SIGKILL);
  int st;
  while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

void ChildProcess::Report(int value) { (void)WriteInt(toParent_[1], value); }

void ChildProcess::Wait() {
  int v;
  if (!ReadInt(toChild_[0], &v)) _exit(99);
}

}  // namespace slicefs::testing
