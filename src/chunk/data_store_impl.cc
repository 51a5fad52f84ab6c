#include "chunk/data_store_impl.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "chunk/block_key.h"

namespace slicefs {


Result<std::unique_ptr<DataStore>> DataStore::Open(SliceMeta* meta, ObjectStore* store,
                                                   const DataOptions& opts) {
  if (meta == nullptr || store == nullptr) return Err(EINVAL, "DataStore needs a SliceMeta and an ObjectStore");
  const VolumeFormat& fmt = meta->format();
  if (fmt.blockSizeKiB < 64 || fmt.blockSizeKiB > 16384) {
    return Err(EINVAL, "block size " + std::to_string(fmt.blockSizeKiB) + " KiB out of range 64..16384");
  }
  // Block buffers are large and short-lived. glibc's adaptive mmap
  // threshold would move them into the heap after the first free, where
  // fragmentation keeps freed buffers resident; a fixed threshold keeps
  // every block buffer in its own mapping, returned to the OS on free, so
  // RSS follows bufferSize (measured by bench/data_bench).
  static const bool mallocTuned = [] { return mallopt(M_MMAP_THRESHOLD, 256 * 1024) == 1; }();
  (void)mallocTuned;
  std::unique_ptr<DiskCache> disk;
  if (!opts.cacheDir.empty() && opts.cacheSize > 0) {
    auto d = DiskCache::Open(opts.cacheDir, opts.cacheSize, opts.cacheFreeRatio,
                             DiskCacheSeal{opts.cacheSealKey, opts.cacheSealAlgo});
    if (!d) return Err(d.error());
    disk = std::move(*d);
  }
  return std::unique_ptr<DataStore>(new DataStoreImpl(meta, store, opts, std::move(disk)));
}

DataStoreImpl::DataStoreImpl(SliceMeta* meta, ObjectStore* store, const DataOptions& opts,
                             std::unique_ptr<DiskCache> disk)
    : meta_(meta),
      store_(store),
      opts_(opts),
      volume_(meta->format().name),
      hashPrefix_(meta->format().hashPrefix),
      blockSize_(meta->format().blockSizeKiB * 1024),
      mem_(opts.memCacheSize),
      disk_(std::move(disk)),
      fetcher_(store_, &mem_, disk_.get(), opts.maxDownloads),
      budget_(opts.bufferSize) {
  uploadPool_ = std::make_unique<WorkPool>(std::max(1, opts.maxUploads));
  prefetchPool_ = std::make_unique<WorkPool>(std::max(1, std::min(opts.maxDownloads, 16)));
  deletePool_ = std::make_unique<WorkPool>(2);
  compactPool_ = std::make_unique<WorkPool>(1);
  budget_.SetPressureCallback([this] { RelievePressure(); });
  committer_ = std::thread([this] { CommitterLoop(); });
  meta_->SetSliceDeleter([this](uint64_t id, uint32_t size) { DeleteAsync(id, size); });
}

DataStoreImpl::~DataStoreImpl() {
  // Without a deleter Meta keeps zero-reference slices recorded until the
  // next client registers one, so nothing leaks.
  meta_->SetSliceDeleter(SliceDeleter());
  compactPool_.reset();
  prefetchPool_.reset();
  uploadPool_->Drain();
  {
    std::lock_guard lk(committerMu_);
    stop_ = true;
  }
  committerCv_.notify_all();
  committer_.join();
  uploadPool_.reset();
  deletePool_.reset();
}

std::string DataStoreImpl::BlockKey(uint64_t id, uint32_t block, uint32_t blockLen) const {
  return BlockObjectKey(volume_, hashPrefix_, id, block, blockLen);
}

Status DataStoreImpl::DeleteSlice(uint64_t id, uint32_t size) {
  Status first;
  uint32_t n = BlockCount(size, blockSize_);
  for (uint32_t b = 0; b < n; b++) {
    std::string key = BlockKey(id, b, BlockLength(size, blockSize_, b));
    fetcher_.Forget(key);
    Status st = store_->del(key);
    if (!st.ok() && first.ok()) first = st;
  }
  if (first.ok()) slicesDeleted_++;
  return first;
}

void DataStoreImpl::DeleteAsync(uint64_t id, uint32_t size) {
  if (id == 0 || size == 0) return;
  deletePool_->Submit([this, id, size] {
    Status st = DeleteSlice(id, size);
    if (!st.ok()) spdlog::warn("delete slice {} ({} bytes): {}", id, size, st.ToString());
  });
}

DataStats DataStoreImpl::Stats() const {
  DataStats s;
  s.bufferUsed = budget_.used();
  s.bufferPeak = budget_.peak();
  s.bufferLimit = budget_.limit();
  s.blocksUploaded = blocksUploaded_;
  s.slicesCommitted = slicesCommitted_;
  s.blockGets = fetcher_.stats().blockGets;
  s.rangeGets = fetcher_.stats().rangeGets;
  s.memCacheHits = fetcher_.stats().memHits;
  s.diskCacheHits = fetcher_.stats().diskHits;
  s.diskCacheCorrupt = disk_ ? disk_->corruptions() : 0;
  s.compactions = compactions_;
  s.compactionsCanceled = compactionsCanceled_;
  s.slicesDeleted = slicesDeleted_;
  s.readRetries = readRetries_;
  return s;
}

}  // namespace slicefs
