// Accounting of write-buffer memory with back-pressure. Acquire(n) blocks
// while `used + n > limit`, except when nothing is in use (so one write
// larger than the whole budget still progresses). While a caller waits, the
// pressure callback is invoked now and then to make the holders of memory
// start uploading it. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace slicefs {

class BufferBudget {
 public:
  explicit BufferBudget(uint64_t limit) : limit_(limit) {}
  void SetPressureCallback(std::function<void()> cb) { pressure_ = std::move(cb); }
  void Acquire(uint64_t n);
  void Release(uint64_t n);
  uint64_t used() const { return used_.load(); }
  uint64_t peak() const { return peak_.load(); }
  uint64_t limit() const { return limit_; }
  void ResetPeak() { peak_ = used_.load(); }

 private:
  const uint64_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> used_{0}, peak_{0};
  std::function<void()> pressure_;
};

}  // namespace slicefs
