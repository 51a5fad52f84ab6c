#include "vfs/flock_waits.h"

namespace slicefs {

void FlockWaits::Granted(Ino ino) {
  std::lock_guard lk(mu_);
  inodes_[ino].holders++;
}

void FlockWaits::Dropped(Ino ino) {
  std::lock_guard lk(mu_);
  inodes_[ino].holders--;
  MaybeErase(ino);
}

void FlockWaits::ReleaseStarted(Ino ino) {
  std::lock_guard lk(mu_);
  inodes_[ino].releasing++;
}

void FlockWaits::ReleaseEnded(Ino ino) {
  {
    std::lock_guard lk(mu_);
    auto& s = inodes_[ino];
    s.releasing--;
    s.holders--;
    gen_++;
    MaybeErase(ino);
  }
  cv_.notify_all();
}

void FlockWaits::MaybeErase(Ino ino) {
  auto it = inodes_.find(ino);
  if (it != inodes_.end() && it->second.holders <= 0 && it->second.releasing <= 0) inodes_.erase(it);
}

uint64_t FlockWaits::Generation() {
  std::lock_guard lk(mu_);
  return gen_;
}

bool FlockWaits::WaitForRelease(Ino ino, uint64_t gen, bool selfHolds, std::chrono::milliseconds grace) {
  std::unique_lock lk(mu_);
  if (gen_ != gen) return true;
  auto running = [&] {
    auto i = inodes_.find(ino);
    return i != inodes_.end() && i->second.releasing > 0;
  };
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return false;
  if (it->second.releasing == 0 && it->second.holders - (selfHolds ? 1 : 0) <= 0) return false;
  auto ended = [&] { return gen_ != gen; };
  auto until = std::chrono::steady_clock::now() + grace;
  for (;;) {
    if (cv_.wait_until(lk, until, ended)) return true;
    if (!running()) return false;
    until = std::chrono::steady_clock::now() + std::chrono::seconds(10);  // one is running: let it end
  }
}

}  // namespace slicefs
