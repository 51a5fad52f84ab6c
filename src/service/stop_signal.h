// SIGTERM and SIGINT as a stop request for a long-lived service. The
// constructor blocks both signals in the calling thread, so construct it in
// the main thread BEFORE any other thread starts (threads inherit the mask
// and so never take the signal); Wait() then receives them synchronously
// (sigtimedwait), without an async handler.
//
// Threading: Wait() from one thread (the main one); Trigger() from any.
// The destructor restores the previous signal mask.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>

namespace slicefs::service {

class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Blocks until SIGTERM or SIGINT arrives or Trigger() is called; returns
  // the signal number (0 for Trigger()).
  int Wait();
  // Makes Wait() return (a fatal error of the server, tests).
  void Trigger() { triggered_.store(true); }
  bool triggered() const { return triggered_.load(); }

 private:
  sigset_t set_{};
  sigset_t old_{};
  std::atomic<bool> triggered_{false};
};

}  // namespace slicefs::service
