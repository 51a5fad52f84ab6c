// Helpers of the observability tests: reading a mount's .stats, and a
// .accesslog reader on a thread of its own.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "support/mount.h"

namespace slicefs::testing {

// The value of `series` (exact "name{labels}" text) in .stats, or -1.
inline double StatValue(const std::string& stats, const std::string& series) {
  std::istringstream in(stats);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return -1;
}

inline double OpCount(const TestMount& m, const std::string& op) {
  return StatValue(ReadFile(m / ".stats"), "slicefs_fuse_op_duration_seconds_count{op=\"" + op + "\"}");
}

// Reads .accesslog into text() until destroyed. The destructor interrupts
// the blocked read with a signal (the mount answers EINTR), then closes.
class LogReader {
 public:
  explicit LogReader(const std::string& file) {
    InstallHandler();
    fd_ = ::open(file.c_str(), O_RDONLY);
    if (fd_ < 0) return;
    thread_ = std::thread([this] {
      char buf[1 << 16];
      while (!stop_) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard lk(mu_);
        text_.append(buf, n);
      }
      done_ = true;
    });
  }
  ~LogReader() {
    stop_ = true;
    if (thread_.joinable()) {
      for (int i = 0; i < 200 && !done_; i++) {
        pthread_kill(thread_.native_handle(), SIGUSR1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      thread_.join();
    }
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  std::string text() {
    std::lock_guard lk(mu_);
    return text_;
  }
  // Waits until text() contains `needle`, calling poke() (an operation on
  // the mount) every 100 ms; false after `timeout`.
  bool WaitFor(const std::string& needle, const std::function<void()>& poke = nullptr,
               std::chrono::seconds timeout = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (text().find(needle) != std::string::npos) return true;
      if (poke) poke();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return text().find(needle) != std::string::npos;
  }

 private:
  static void InstallHandler() {
    struct sigaction sa = {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: read() returns EINTR
    sigaction(SIGUSR1, &sa, nullptr);
  }
  int fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stop_{false}, done_{false};
  std::mutex mu_;
  std::string text_;
};

// The lines of `text` that contain every needle.
inline std::vector<std::string> LinesWith(const std::string& text, const std::vector<std::string>& needles) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    bool all = true;
    for (auto& n : needles) all = all && line.find(n) != std::string::npos;
    if (all) out.push_back(line);
  }
  return out;
}

}  // namespace slicefs::testing
