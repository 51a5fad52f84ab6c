#include "meta/lock_waiters.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace slicefs {

bool LockWaiters::Wait(uint64_t owner, int attempt) {
  auto delay = std::chrono::milliseconds(std::min(100, 1 << std::min(attempt, 7)));
  std::unique_lock lk(mu_);
  waiters_.try_emplace(owner, false);
  cv_.wait_for(lk, delay, [&] { return waiters_[owner]; });
  if (waiters_[owner]) {
    waiters_.erase(owner);
    waitsFor_.erase(owner);
    return false;
  }
  return true;
}

void LockWaiters::Done(uint64_t owner) {
  std::lock_guard lk(mu_);
  waiters_.erase(owner);
  waitsFor_.erase(owner);
}

bool LockWaiters::NoteWaitsFor(uint64_t owner, const std::set<uint64_t>& blockers) {
  std::lock_guard lk(mu_);
  // Depth-first over "waits for" edges from the blockers: reaching owner
  // means they (transitively) wait for it.
  std::vector<uint64_t> stack(blockers.begin(), blockers.end());
  std::set<uint64_t> seen;
  while (!stack.empty()) {
    uint64_t o = stack.back();
    stack.pop_back();
    if (o == owner) {
      waitsFor_.erase(owner);
      return false;
    }
    if (!seen.insert(o).second) continue;
    auto it = waitsFor_.find(o);
    if (it != waitsFor_.end()) stack.insert(stack.end(), it->second.begin(), it->second.end());
  }
  waitsFor_[owner] = blockers;
  return true;
}

void LockWaiters::Interrupt(uint64_t owner) {
  {
    std::lock_guard lk(mu_);
    auto it = waiters_.find(owner);
    if (it == waiters_.end()) return;
    it->second = true;
  }
  cv_.notify_all();
}

void LockWaiters::NoteLocked(Ino ino) {
  std::lock_guard lk(mu_);
  locked_.insert(ino);
}

std::set<Ino> LockWaiters::TakeLocked() {
  std::lock_guard lk(mu_);
  std::set<Ino> out;
  out.swap(locked_);
  return out;
}

}  // namespace slicefs
