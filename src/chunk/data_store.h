// The data plane of one client: turns file reads and writes into slices and
// blocks in the object store, committing slice records through SliceMeta.
//
// Threading: thread-safe. Several handles of one inode share its buffered
// writes (one writer per inode), so a read through any handle of this client
// sees every earlier write of this client (strong consistency for one client).
// Errors: errno-style (EIO after retries on storage failure, ENOSPC, EFBIG).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"
#include "chunk/slice_meta.h"
#include "object/aead.h"
#include "object/object_store.h"

namespace slicefs {

struct DataOptions {
  uint64_t bufferSize = 300ULL << 20;   // max bytes buffered for upload (back-pressure beyond)
  int maxUploads = 20;                  // concurrent block uploads
  int maxDownloads = 20;                // concurrent block downloads
  uint64_t memCacheSize = 256ULL << 20; // in-memory block cache
  std::string cacheDir;                 // disk cache directory; empty = none
  uint64_t cacheSize = 10ULL << 30;     // disk cache limit in bytes
  double cacheFreeRatio = 0.1;          // keep at least this fraction of the disk free
  uint64_t readaheadMax = 64ULL << 20;  // max readahead window per stream
  bool compactInBackground = true;
  uint32_t compactThreshold = 32;       // slices per chunk that trigger compaction
  // Encrypted volumes: disk cache files are sealed with this 32-byte key
  // (disk_cache.h); empty: stored as they are.
  std::string cacheSealKey;
  AeadAlgo cacheSealAlgo = AeadAlgo::kAes256Gcm;
};

// Counters for tests, benchmarks and the .stats file.
struct DataStats {
  uint64_t bufferUsed = 0;     // write-buffer bytes held now
  uint64_t bufferPeak = 0;     // highest bufferUsed so far
  uint64_t bufferLimit = 0;
  uint64_t blocksUploaded = 0;
  uint64_t slicesCommitted = 0;
  uint64_t blockGets = 0;      // whole-block GETs from the object store
  uint64_t rangeGets = 0;      // ranged GETs
  uint64_t memCacheHits = 0;
  uint64_t diskCacheHits = 0;
  uint64_t diskCacheCorrupt = 0;  // cached files discarded by checksum
  uint64_t compactions = 0;       // successful chunk compactions
  uint64_t compactionsCanceled = 0;
  uint64_t slicesDeleted = 0;
  uint64_t readRetries = 0;       // reads redone because a block vanished (compaction)
};

class DataStore {
 public:
  virtual ~DataStore() = default;

  // meta and store are borrowed and must outlive the DataStore. Registers
  // itself as meta's slice deleter.
  static Result<std::unique_ptr<DataStore>> Open(SliceMeta* meta, ObjectStore* store,
                                                 const DataOptions& opts);

  // Buffers `data` at `off` of `ino`. May block while the buffer is full.
  virtual Result<size_t> Write(Ino ino, uint64_t off, std::span<const char> data) = 0;
  // Reads up to out.size() bytes at `off`; `length` is the file length the
  // caller knows (the metadata length, or larger if this client has pending writes,
  // see PendingLength). Returns the bytes read (short at end of file).
  virtual Result<size_t> Read(Ino ino, uint64_t off, std::span<char> out, uint64_t length) = 0;
  // Uploads all buffered data of `ino` and commits its slices in write order.
  virtual Status Flush(Ino ino) = 0;
  // End of this client's not-yet-committed writes of `ino` (0 if none).
  virtual uint64_t PendingLength(Ino ino) = 0;
  // Forgets cached data of `ino` (another client changed it, or it was
  // truncated); buffered writes are kept.
  virtual void Invalidate(Ino ino) = 0;
  // Flushes everything (unmount).
  virtual Status FlushAll() = 0;
  // Deletes the objects of a slice (used by the deleter and by gc).
  virtual Status DeleteSlice(uint64_t id, uint32_t size) = 0;
  // The object key of block `block` of slice `id` whose length is `blockLen`.
  virtual std::string BlockKey(uint64_t id, uint32_t block, uint32_t blockLen) const = 0;
  // Merges chunk `index` of `ino` into one slice now (what background
  // compaction does): ECANCELED if the chunk changed meanwhile (the new
  // slice is then deleted). OK without change when there is nothing to merge.
  virtual Status Compact(Ino ino, uint32_t index) { return Status::Error(ENOTSUP, "no compaction"); }
  virtual DataStats Stats() const { return {}; }

  // ---- cache control (slicefs warmup; cache_control.cc) ----
  // Block `block` of slice (id, size): fetched into the caches (memory, and
  // the disk cache when there is one); dropped from them; or whether a cache
  // holds it. blockSize(): the volume's block size in bytes.
  virtual Status WarmBlock(uint64_t id, uint32_t size, uint32_t block) { return Status::Error(ENOTSUP, "no cache"); }
  virtual void EvictBlock(uint64_t id, uint32_t size, uint32_t block) {}
  virtual bool BlockCached(uint64_t id, uint32_t size, uint32_t block) { return false; }
  virtual uint32_t blockSize() const { return 4u << 20; }
};

}  // namespace slicefs
