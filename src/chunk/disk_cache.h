// A block cache on local disk that survives restarts.
//
// Layout: DIR/blocks/{xx}/{hash16}_{last key component}, where xx and hash16
// come from xxh64(key). Each file is
//   "SFC1" | u32 keyLen | u32 dataLen | u64 xxh64(data) | key | data  (LE)
// written to DIR/tmp first and renamed into place. Get() verifies magic,
// key, length and checksum; a file that fails is deleted and reported as a
// miss (the caller refetches from the object store), so corrupt data is never
// returned. The index (path -> size, LRU order) is rebuilt at open by
// scanning DIR (oldest mtime first). Put() evicts least recently used files
// while the cache is over `capacity` or the disk's free space is below
// `freeRatio`. Thread-safe; file I/O happens outside the index lock.
//
// Files are 0600 in 0700 directories. With a DiskCacheSeal (encrypted
// volumes) the magic is "SFC2" and the data part is nonce | AEAD ciphertext
// | tag of the block under the seal key with the block key as AAD, so the
// cache holds no plaintext and a file moved to another key fails as corrupt.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "object/aead.h"

namespace slicefs {

struct DiskCacheSeal {
  std::string key;  // 32 bytes; empty: files hold the blocks as they are
  AeadAlgo algo = AeadAlgo::kAes256Gcm;
};

class DiskCache {
 public:
  static Result<std::unique_ptr<DiskCache>> Open(const std::string& dir, uint64_t capacity,
                                                 double freeRatio, DiskCacheSeal seal = {});
  std::optional<std::string> Get(const std::string& key);
  void Put(const std::string& key, std::string_view data);
  void Erase(const std::string& key);
  bool Contains(const std::string& key);

  // The file that caches `key` (tests corrupt it on purpose).
  std::string PathOf(const std::string& key) const;
  uint64_t used() const;
  size_t files() const;
  uint64_t corruptions() const { return corruptions_; }

 private:
  DiskCache(std::string dir, uint64_t capacity, double freeRatio)
      : dir_(std::move(dir)), capacity_(capacity), freeRatio_(freeRatio) {}
  void Scan();
  void Touch(const std::string& path);
  void Forget(const std::string& path);
  void EvictLocked(std::unique_lock<std::mutex>& lk);
  bool DiskTooFull() const;
  bool sealed() const { return !seal_.key.empty(); }

  const std::string dir_;
  const uint64_t capacity_;
  const double freeRatio_;
  mutable std::mutex mu_;
  std::list<std::pair<std::string, uint64_t>> lru_;  // (path, size), front = most recent
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
  uint64_t used_ = 0;
  uint64_t corruptions_ = 0;
  DiskCacheSeal seal_;
};

}  // namespace slicefs
