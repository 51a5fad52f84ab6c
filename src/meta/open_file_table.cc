#include "meta/open_file_table.h"

#include <algorithm>

namespace slicefs {

void OpenFileTable::Register(Ino ino, bool recorded) {
  std::lock_guard lk(mu_);
  auto& o = open_[ino];
  o.count++;
  if (recorded) o.recorded = true;
}

bool OpenFileTable::ReserveRecorded(Ino ino) {
  std::lock_guard lk(mu_);
  auto it = open_.find(ino);
  if (it == open_.end() || !it->second.recorded) return false;
  it->second.count++;
  closedPending_.erase(ino);
  return true;
}

bool OpenFileTable::IsOpen(Ino ino) {
  std::lock_guard lk(mu_);
  auto it = open_.find(ino);
  return it != open_.end() && it->second.count > 0;
}

OpenFileTable::CloseOutcome OpenFileTable::Close(Ino ino) {
  std::lock_guard lk(mu_);
  auto it = open_.find(ino);
  if (it == open_.end() || it->second.count <= 0) return CloseOutcome::kNotOpen;
  if (--it->second.count > 0) return CloseOutcome::kStillOpen;
  if (it->second.recorded) {
    closedPending_.insert(ino);
    return CloseOutcome::kClosedRecorded;
  }
  open_.erase(it);
  return unlinked_.erase(ino) > 0 ? CloseOutcome::kClosedUnlinked : CloseOutcome::kClosedLocal;
}

void OpenFileTable::KeptOpen(uint64_t sid, Ino ino) {
  std::lock_guard lk(mu_);
  if (sid == 0) {
    unlinked_.insert(ino);
    return;
  }
  auto& o = open_[ino];
  o.recorded = true;
  if (o.count == 0) closedPending_.insert(ino);  // closed meanwhile
}

std::vector<Ino> OpenFileTable::ClosedPending(size_t max) {
  std::lock_guard lk(mu_);
  std::vector<Ino> out;
  for (Ino ino : closedPending_) {
    if (out.size() >= max) break;
    out.push_back(ino);
  }
  return out;
}

std::vector<Ino> OpenFileTable::TakeReleasable(const std::vector<Ino>& inos) {
  std::lock_guard lk(mu_);
  std::vector<Ino> out;
  for (Ino ino : inos) {
    closedPending_.erase(ino);
    auto it = open_.find(ino);
    if (it == open_.end() || it->second.count > 0 || !it->second.recorded) continue;
    open_.erase(it);
    out.push_back(ino);
  }
  return out;
}

void OpenFileTable::Restore(const std::vector<Ino>& inos) {
  std::lock_guard lk(mu_);
  for (Ino ino : inos) {
    auto& o = open_[ino];
    o.recorded = true;
    if (o.count == 0) closedPending_.insert(ino);
  }
}

std::vector<Ino> OpenFileTable::Recorded() {
  std::lock_guard lk(mu_);
  std::vector<Ino> out;
  for (auto& [ino, o] : open_)
    if (o.recorded) out.push_back(ino);
  return out;
}

void OpenFileTable::SessionClosed() {
  std::lock_guard lk(mu_);
  unlinked_.clear();
  closedPending_.clear();
  for (auto it = open_.begin(); it != open_.end();) {
    it->second.recorded = false;
    it = it->second.count > 0 ? std::next(it) : open_.erase(it);
  }
}

std::vector<std::unique_lock<std::mutex>> OpenFileTable::LockStripes(const std::vector<Ino>& inos) {
  std::vector<size_t> idx;
  for (Ino ino : inos) idx.push_back(&Stripe(ino) - stripes_.data());
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<std::unique_lock<std::mutex>> held;
  for (size_t i : idx) held.emplace_back(stripes_[i]);
  return held;
}

}  // namespace slicefs
