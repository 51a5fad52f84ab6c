// The DataStore implementation (see data_store.h for the contract).
//
// Write path (write_path.cc): one FileWriter per inode holds its pending
// slices in write order. A write that continues the last slice of its chunk
// extends it; any other write starts a new slice (the previous one of that
// chunk is frozen). Each full block is uploaded on the upload pool as soon as
// it fills; a frozen slice's short last block too. A slice is committed with
// SliceMeta::WriteSlice once it is frozen and all its blocks are stored, strictly
// in write order (the committer thread, or Flush itself). Write memory is
// charged to a BufferBudget and released when its block is stored.
//
// Read path (read_path.cc): the committed slice records of a chunk (cached,
// invalidated on own commits, Invalidate() and after 1 s) plus this client's
// pending slices on top form the chunk view; pieces are read through
// BlockFetcher (memory cache, disk cache, single-flight downloads). A read
// that finds a block gone (ENOENT: compacted or deleted meanwhile) rereads
// the records and retries. Sequential streams prefetch whole blocks ahead.
//
// Compaction (compaction.cc) and deletion run on their own small pools.
//
// Lock order: writersMu_ -> FileWriter::mu; FileWriter::commitMu is taken
// without any other lock held; viewMu_, raMu_, compactMu_ are leaves.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "chunk/block_fetcher.h"
#include "common/clock.h"
#include "chunk/buffer_budget.h"
#include "chunk/chunk_view.h"
#include "chunk/data_store.h"
#include "chunk/disk_cache.h"
#include "chunk/mem_cache.h"
#include "chunk/work_pool.h"
#include "object/object_store.h"

namespace slicefs {

class DataStoreImpl : public DataStore {
 public:
  DataStoreImpl(SliceMeta* meta, ObjectStore* store, const DataOptions& opts,
                std::unique_ptr<DiskCache> disk);
  ~DataStoreImpl() override;

  Result<size_t> Write(Ino ino, uint64_t off, std::span<const char> data) override;
  Result<size_t> Read(Ino ino, uint64_t off, std::span<char> out, uint64_t length) override;
  Status Flush(Ino ino) override;
  uint64_t PendingLength(Ino ino) override;
  void Invalidate(Ino ino) override;
  Status FlushAll() override;
  Status DeleteSlice(uint64_t id, uint32_t size) override;
  std::string BlockKey(uint64_t id, uint32_t block, uint32_t blockLen) const override;
  Status Compact(Ino ino, uint32_t index) override;
  DataStats Stats() const override;
  Status WarmBlock(uint64_t id, uint32_t size, uint32_t block) override;
  void EvictBlock(uint64_t id, uint32_t size, uint32_t block) override;
  bool BlockCached(uint64_t id, uint32_t size, uint32_t block) override;
  uint32_t blockSize() const override { return blockSize_; }

  DiskCache* disk_cache() { return disk_.get(); }
  MemCache* mem_cache() { return &mem_; }

  Status SyncObjects() override { return store_->sync(); }

 private:
  // ---- write path ----
  enum class BlockState { kFilling, kUploading, kStored, kFailed };
  struct BlockBuf {
    std::string data;        // the bytes until stored
    BlockState state = BlockState::kFilling;
    uint32_t storedLen = 0;  // object length once stored
    uint64_t charged = 0;    // budget bytes held
  };
  struct PendingSlice {
    uint32_t chunk = 0;
    uint32_t pos = 0;        // offset in the chunk
    uint64_t id = 0;
    uint64_t seq = 0;        // write order within the FileWriter
    // Guarded by the owning FileWriter::mu:
    uint32_t len = 0;
    bool frozen = false;
    int uploading = 0;
    Status err;
    int64_t lastWriteMs = 0;
    std::vector<std::unique_ptr<BlockBuf>> blocks;
  };
  struct FileWriter {
    explicit FileWriter(Ino i) : ino(i) {}
    const Ino ino;
    std::mutex mu;
    std::condition_variable cv;  // a block stored or a slice committed
    std::deque<std::shared_ptr<PendingSlice>> slices;
    uint64_t nextSeq = 1;
    uint64_t retired = 0;        // slices taken off `slices` (committed or failed)
    Status err;                  // first failure, reported by the next Flush
    bool dead = false;           // removed from writers_
    std::mutex commitMu;
  };
  using WriterPtr = std::shared_ptr<FileWriter>;
  using SlicePtr = std::shared_ptr<PendingSlice>;

  WriterPtr GetWriter(Ino ino, bool create);
  Status WritePiece(Ino ino, uint32_t chunk, uint32_t cpos, std::span<const char> data);
  void Freeze(const WriterPtr& fw, const SlicePtr& s);                  // fw->mu held
  void StartUpload(const WriterPtr& fw, const SlicePtr& s, uint32_t b);  // fw->mu held
  void UploadBlock(WriterPtr fw, SlicePtr s, uint32_t b, BlockBuf* bb);
  void CommitReady(const WriterPtr& fw);
  void NotifyCommitter(const WriterPtr& fw);
  void CommitterLoop();
  void FreezeIdle(int64_t idleMs);
  void RelievePressure();
  void DeleteAsync(uint64_t id, uint32_t size);

  // ---- read path ----
  struct PendingRef {
    WriterPtr fw;
    SlicePtr s;
    uint32_t len;  // slice length at snapshot time
  };
  using Records = std::shared_ptr<const std::vector<SliceRecord>>;
  Result<Records> ChunkRecords(Ino ino, uint32_t chunk);
  void InvalidateChunk(Ino ino, uint32_t chunk);
  // This client's uncommitted slices of the chunk, oldest first, and the
  // writer's `retired` count at that moment (0 without a writer).
  std::vector<PendingRef> SnapshotPending(Ino ino, uint32_t chunk, uint64_t* retired);
  // Whether a slice of ino's writer was retired since `retired` was read.
  bool RetiredSince(Ino ino, uint64_t retired);
  Status ReadChunkRange(Ino ino, uint32_t chunk, uint32_t cpos, uint32_t n, char* dst,
                        uint64_t length, bool seq);
  Status ReadPending(const PendingRef& p, uint32_t off, uint32_t n, char* dst);
  Status ReadSlice(uint64_t id, uint32_t size, uint32_t off, uint32_t n, char* dst, bool whole);
  bool NoteRead(Ino ino, uint64_t off, uint64_t n, uint64_t length, uint64_t* raFrom, uint64_t* raTo);
  void Prefetch(Ino ino, uint64_t from, uint64_t to, uint64_t length);

  // ---- compaction ----
  void NoteCommit(Ino ino, uint32_t chunk);
  void ScheduleCompaction(Ino ino, uint32_t chunk);
  Status CompactLocked(Ino ino, uint32_t index);
  Status ReadView(const std::vector<ViewPiece>& view, uint64_t lo, uint64_t hi, char* dst);

  SliceMeta* meta_;
  ObjectStore* store_;  // borrowed; the chain (retries, compression) is built by the caller
  const DataOptions opts_;
  const std::string volume_;
  const bool hashPrefix_;
  const uint32_t blockSize_;
  MemCache mem_;
  std::unique_ptr<DiskCache> disk_;
  BlockFetcher fetcher_;
  BufferBudget budget_;
  std::atomic<uint64_t> fillingBytes_{0};  // budget bytes in blocks still filling

  std::mutex writersMu_;
  std::unordered_map<Ino, WriterPtr> writers_;

  std::mutex committerMu_;
  std::condition_variable committerCv_;
  std::deque<WriterPtr> commitQueue_;
  bool stop_ = false;

  // Committed slice records per (ino, chunk), with a fetch time; generations
  // per inode stripe keep a fetch that raced with an invalidation out.
  struct CachedRecords {
    Records recs;
    int64_t fetchedMs = 0;
  };
  static constexpr int kGenStripes = 64;
  std::mutex viewMu_;
  std::map<std::pair<Ino, uint32_t>, CachedRecords> views_;
  uint64_t viewGen_[kGenStripes] = {};

  struct Stream {
    uint64_t nextOff = 0;
    uint64_t window = 0;
    uint64_t prefetchedTo = 0;
  };
  std::mutex raMu_;
  std::unordered_map<Ino, Stream> streams_;

  std::mutex compactMu_;
  std::condition_variable compactCv_;
  std::set<std::pair<Ino, uint32_t>> compacting_;
  std::map<std::pair<Ino, uint32_t>, uint32_t> commitsSinceCheck_;

  std::atomic<uint64_t> blocksUploaded_{0}, slicesCommitted_{0}, compactions_{0},
      compactionsCanceled_{0}, slicesDeleted_{0}, readRetries_{0};

  // Pools last: destroyed (drained) first.
  std::unique_ptr<WorkPool> uploadPool_;
  std::unique_ptr<WorkPool> prefetchPool_;
  std::unique_ptr<WorkPool> deletePool_;
  std::unique_ptr<WorkPool> compactPool_;
  std::thread committer_;
};


}  // namespace slicefs
