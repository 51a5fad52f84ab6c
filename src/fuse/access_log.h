// The live access log behind the mount's `.accesslog` file: a fan-out of
// text lines to every reader that has the file open.
//
// Each reader has its own bounded buffer (kReaderBufferBytes). Append never
// blocks on a reader: a line that does not fit is dropped and counted, and
// the reader sees "#dropped N lines" where the lines went missing. Append is only
// called while someone reads (active() is one relaxed atomic load, which the
// op tracer checks before it formats anything).
//
// Threading: thread-safe. Read blocks until a line is available, the reader
// is closed (Close/Shutdown) or interrupted (Interrupt), with no lock held
// while it waits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace slicefs::fusead {

class AccessLog {
 public:
  static constexpr size_t kReaderBufferBytes = 4u << 20;

  // True while at least one reader is open.
  bool active() const { return readers_.load(std::memory_order_relaxed) > 0; }

  // A new reader; it sees every line appended from now on.
  uint64_t Open();
  void Close(uint64_t id);
  // Appends one line ('\n' added) to every reader's buffer.
  void Append(const std::string& line);
  // Up to `max` bytes of whole lines (a line longer than max is cut).
  // Empty when the reader was closed, interrupted or the log shut down, or
  // when `stop()` (polled twice a second while waiting) says so.
  std::string Read(uint64_t id, size_t max, const std::function<bool()>& stop);
  // Wakes a blocked Read of `id` (it returns what it has, maybe nothing).
  // An Interrupt with no Read waiting is forgotten by the next Read: its
  // stop() must tell an interrupted request.
  void Interrupt(uint64_t id);
  // Wakes every reader for good (unmount).
  void Shutdown();
  // Lines dropped so far (all readers).
  uint64_t dropped() const { return droppedTotal_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::string line;      // with its '\n'; empty for a drop notice
    uint64_t dropped = 0;  // lines dropped here (a notice), in order
  };
  struct Reader {
    std::deque<Entry> lines;
    size_t bytes = 0;
    bool interrupted = false;
    std::string partial;  // the rest of a line cut by a small read
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<uint64_t, std::unique_ptr<Reader>> map_;
  uint64_t next_ = 1;
  bool shutdown_ = false;
  std::atomic<int> readers_{0};
  std::atomic<uint64_t> droppedTotal_{0};
};

}  // namespace slicefs::fusead
