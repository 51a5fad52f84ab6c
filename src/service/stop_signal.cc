// SIGTERM/SIGINT received synchronously (see stop_signal.h).
#include "service/stop_signal.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace slicefs::service {

StopSignal::StopSignal() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
}

StopSignal::~StopSignal() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

int StopSignal::Wait() {
  // Polls for Trigger() every 200 ms; a signal ends the wait at once.
  const timespec tick{0, 200 * 1000 * 1000};
  while (!triggered_.load()) {
    int sig = sigtimedwait(&set_, nullptr, &tick);
    if (sig > 0) return sig;
  }
  return 0;
}

}  // namespace slicefs::service
