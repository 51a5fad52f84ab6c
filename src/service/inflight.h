// Requests in flight in a network service, for graceful shutdown: handlers
// hold an Inflight::Guard for the life of a request; Drain() stops admitting
// new ones, waits a bounded time for the running ones to finish, then tells
// them to abort (aborting() turns true: a handler checks it between blocks
// of a body and gives up, discarding what it half wrote) and waits a little
// more.
//
// Threading: thread-safe. Errors: none (Enter() returns an invalid guard
// once draining: answer 503 then).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace slicefs::service {

class Inflight {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& o) noexcept : owner_(o.owner_) { o.owner_ = nullptr; }
    Guard& operator=(Guard&& o) noexcept;
    ~Guard();
    // False when the service is draining: the request was not admitted.
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    friend class Inflight;
    explicit Guard(Inflight* o) : owner_(o) {}
    Inflight* owner_ = nullptr;
  };

  // Admits a request (the guard counts it until destroyed), or an invalid
  // guard once Drain() began.
  Guard Enter();
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  // True once the grace period of Drain() ran out: stop work and fail.
  bool aborting() const { return aborting_.load(std::memory_order_acquire); }
  size_t count() const;

  // Stops admitting; waits up to `grace` for the count to reach zero; then
  // sets aborting() and waits up to `abortWait` more. Returns how many
  // requests were still running at the end (0: all finished or aborted).
  size_t Drain(std::chrono::milliseconds grace, std::chrono::milliseconds abortWait);

 private:
  void Leave();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t count_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<bool> aborting_{false};
};

}  // namespace slicefs::service
