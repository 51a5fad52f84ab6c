#include "chunk/mem_cache.h"

namespace slicefs {

BlockData MemCache::Get(const std::string& key) {
  std::lock_guard lk(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

bool MemCache::Contains(const std::string& key) {
  std::lock_guard lk(mu_);
  return index_.count(key) != 0;
}

void MemCache::Put(const std::string& key, BlockData data) {
  if (!data || data->size() > capacity_) return;
  std::lock_guard lk(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    used_ -= it->second->second->size();
    lru_.erase(it->second);
    index_.erase(it);
  }
  used_ += data->size();
  lru_.emplace_front(key, std::move(data));
  index_[key] = lru_.begin();
  while (used_ > capacity_ && !lru_.empty()) {
    auto& back = lru_.back();
    used_ -= back.second->size();
    index_.erase(back.first);
    lru_.pop_back();
  }
}

void MemCache::Erase(const std::string& key) {
  std::lock_guard lk(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return;
  used_ -= it->second->second->size();
  lru_.erase(it->second);
  index_.erase(it);
}

uint64_t MemCache::used() const {
  std::lock_guard lk(mu_);
  return used_;
}

void MemCache::Clear() {
  std::lock_guard lk(mu_);
  lru_.clear();
  index_.clear();
  used_ = 0;
}

}  // namespace slicefs
