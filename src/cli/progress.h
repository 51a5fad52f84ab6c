// One progress display for every long-running command (dump, load, fsck, gc,
// rmr, warmup, ...): a line on stderr such as
//   "fsck: 12,345/100,000 objects, 1.2 GiB, 4,567 objects/s, ETA 0:19"
// redrawn at most four times a second when stderr is a terminal, and
// printed as a plain line every 10 seconds otherwise (logs, pipes);
// Done() always prints a one-line summary ("fsck: 100,000 objects, 9.8 GiB
// in 21.9 s (4,566 objects/s)") unless quiet.
//
// Threading: Add/AddBytes/SetTotal may be called from any thread (atomics);
// drawing happens on a background thread owned by the Progress object, so
// callers never block on the terminal. Done() stops that thread; it is also
// called by the destructor (without the summary line when never started).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace slicefs::cli {

class Progress {
 public:
  // `verb` prefixes the line ("fsck"); `unit` names what is counted
  // ("objects", "entries"). quiet: no line and no summary.
  Progress(std::string verb, std::string unit, bool quiet = false);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t n = 1) { count_.fetch_add(n, std::memory_order_relaxed); }
  void AddBytes(uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  // For callers that report running totals rather than increments.
  void SetCount(uint64_t n) { count_.store(n, std::memory_order_relaxed); }
  void SetBytes(uint64_t n) { bytes_.store(n, std::memory_order_relaxed); }
  // Known total count (0 = unknown): enables "x/total" and the ETA.
  void SetTotal(uint64_t total) { total_.store(total, std::memory_order_relaxed); }
  // A short free-form tail shown after the figures ("3 broken").
  void SetNote(std::string note);

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  double seconds() const;

  // Stops redrawing; prints the summary line (once). `extra` is appended.
  void Done(const std::string& extra = "");
  // Stops redrawing and clears the live line, without a summary (for
  // commands that print their own).
  void Stop();

  // The line as drawn now (without "\r"); exposed for tests.
  std::string Line(bool final) const;

 private:
  void Loop();
  bool Finish();  // stops the drawer; false if already finished

  const std::string verb_, unit_;
  const bool quiet_;
  const bool tty_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> count_{0}, bytes_{0}, total_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string note_;  // guarded by mu_
  bool stop_ = false;  // guarded by mu_
  bool done_ = false;  // guarded by mu_
  std::thread drawer_;
};

// "12,345" (thousands separated), for counts in progress and reports.
std::string FormatCount(uint64_t n);

}  // namespace slicefs::cli
