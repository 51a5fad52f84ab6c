// Reads blocks through the caches: memory cache, then disk cache, then the
// object store. Whole-block downloads are single-flight: concurrent callers
// wanting the same block share one GET. Small reads of uncached blocks use a
// ranged GET and cache nothing. Store GETs are bounded by `maxDownloads`.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <unordered_map>

#include "chunk/disk_cache.h"
#include "chunk/mem_cache.h"
#include "object/object_store.h"

namespace slicefs {

struct FetchStats {
  std::atomic<uint64_t> blockGets{0};   // whole-block GETs sent to the store
  std::atomic<uint64_t> rangeGets{0};   // ranged GETs
  std::atomic<uint64_t> memHits{0};
  std::atomic<uint64_t> diskHits{0};
};

class BlockFetcher {
 public:
  // `store` and `disk` (may be null) are borrowed.
  BlockFetcher(ObjectStore* store, MemCache* mem, DiskCache* disk, int maxDownloads)
      : store_(store), mem_(mem), disk_(disk), sem_(maxDownloads < 1 ? 1 : maxDownloads) {}

  // The whole block `key` of length `blockLen` (EIO if the object's length differs).
  Result<BlockData> Block(const std::string& key, uint32_t blockLen);
  // Copies [off, off+n) of the block into dst. `whole` asks for the whole
  // block to be fetched and cached even if the range is small.
  Status Read(const std::string& key, uint32_t blockLen, uint32_t off, uint32_t n, char* dst, bool whole);
  // True when the block is in a cache or being downloaded.
  bool Cached(const std::string& key);
  // Ranged reads check the object's size first (DataOptions::checkRangedSize).
  void setCheckRangedSize(bool on) { checkRangedSize_ = on; }
  // Drops the block from both caches.
  void Forget(const std::string& key);
  // A freshly uploaded block: keep it in the memory cache.
  void Remember(const std::string& key, BlockData data) { mem_->Put(key, std::move(data)); }

  const FetchStats& stats() const { return stats_; }

 private:
  struct Flight {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Result<BlockData> result = BlockData();
  };
  Result<BlockData> Download(const std::string& key, uint32_t blockLen);

  ObjectStore* store_;
  bool checkRangedSize_ = false;
  MemCache* mem_;
  DiskCache* disk_;
  std::counting_semaphore<1024> sem_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  FetchStats stats_;
};

}  // namespace slicefs
