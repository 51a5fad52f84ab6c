// The mount's end of the control channel: a Unix stream socket named per
// mount process, "{dir}/mount-{pid}.sock", where dir is /run/slicefs for
// root and $XDG_RUNTIME_DIR/slicefs (else /tmp/slicefs-{uid}) for others.
// The directory must be owned by this user and not writable by group or
// others (so nobody else can plant a socket there); the socket itself is
// 0666, because every request runs with the connecting process' own
// credentials (SO_PEERCRED uid/gid/pid, supplementary groups from
// /proc/PID/status), through the Vfs like a system call would.
//
// Each connection carries one request (vfs/control/wire.h) and gets its own
// thread; at most ControlRegistry::kMaxConcurrent run at once (others get
// EBUSY). When the client's socket closes the request's ControlCall reports
// Cancelled() and the command stops.
//
// Threading: Start/destructor from one thread. The destructor stops
// accepting, cancels running requests and waits for them, then removes the
// socket file.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "vfs/control/command.h"
#include "vfs/vfs.h"

namespace slicefs::cli {

// The directory control sockets of this user go to (created 0755 if absent;
// EPERM if it exists with the wrong owner or mode).
Result<std::string> ControlSocketDir();

class ControlServer {
 public:
  static Result<std::unique_ptr<ControlServer>> Start(Vfs& vfs, const std::string& mountpoint,
                                                      control::KernelHooks hooks);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  const std::string& path() const { return path_; }

 private:
  ControlServer(Vfs& vfs, std::string mountpoint, control::KernelHooks hooks)
      : vfs_(vfs), mountpoint_(std::move(mountpoint)), hooks_(std::move(hooks)) {}
  void AcceptLoop();
  void Serve(int fd);

  Vfs& vfs_;
  std::string mountpoint_;
  control::KernelHooks hooks_;
  std::string path_;
  int listenFd_ = -1;
  int wakeFd_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;  // guarded by mu_
};

}  // namespace slicefs::cli
