// A forked child process that runs one test step function and talks to the
// test through two pipes: the child reports integers (0, an errno, a
// count...) and can wait for the parent's go-ahead between steps. Lets a
// test hold a lock in one process (one lock owner, one pid) while another
// process contends, and keep every wait bounded: a child stuck in a
// syscall shows up as a missing report, never as a hung test.
//
//   ChildProcess holder([&](ChildProcess& c) {
//     int fd = open(path, O_RDWR);
//     c.Report(flock(fd, LOCK_EX) == 0 ? 0 : errno);
//     c.Wait();                    // until the parent calls Go()
//     close(fd);
//     return 0;                    // the child's exit code
//   });
//   ASSERT_EQ(holder.Next(5s), 0);
//
// Do not construct in a forked child. The destructor SIGKILLs and reaps a
// child that is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>

namespace slicefs::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::function<int(ChildProcess&)>& fn);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Parent side. The next value the child reported, or nullopt when none
  // came within `timeout` (or the child exited without reporting).
  std::optional<int> Next(std::chrono::milliseconds timeout);
  // Lets one Wait() of the child return.
  void Go();
  // Waits for the child to exit: its exit code, 128+signal, or nullopt on
  // timeout (the child keeps running).
  std::optional<int> Join(std::chrono::milliseconds timeout);
  // SIGKILL and reap (no-op once reaped).
  void Kill();

  // Child side.
  void Report(int value);
  // Blocks until the parent calls Go(); exits the child if the parent died.
  void Wait();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int toParent_[2] = {-1, -1};
  int toChild_[2] = {-1, -1};
};

}  // namespace slicefs::testing
