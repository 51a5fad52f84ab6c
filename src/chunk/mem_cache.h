// A bounded in-memory LRU cache of whole blocks, keyed by object key.
// Values are shared immutable strings, so a hit costs no copy under the lock.
// capacity 0 disables the cache. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace slicefs {

using BlockData = std::shared_ptr<const std::string>;

class MemCache {
 public:
  explicit MemCache(uint64_t capacity) : capacity_(capacity) {}
  BlockData Get(const std::string& key);
  void Put(const std::string& key, BlockData data);
  void Erase(const std::string& key);
  bool Contains(const std::string& key);
  uint64_t used() const;
  void Clear();

 private:
  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::list<std::pair<std::string, BlockData>> lru_;  // front = most recent
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
  uint64_t used_ = 0;
};

}  // namespace slicefs
