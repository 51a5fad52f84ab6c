// A fixed-size thread pool running fire-and-forget tasks in FIFO order.
// Thread-safe. The destructor runs the queued tasks to completion, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace slicefs {

class WorkPool {
 public:
  explicit WorkPool(int threads);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void Submit(std::function<void()> task);
  // Tasks queued and not yet started.
  size_t Queued() const;
  // Blocks until no task is queued or running.
  void Drain();

 private:
  void Loop();
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<std::function<void()>> q_;
  int running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace slicefs
