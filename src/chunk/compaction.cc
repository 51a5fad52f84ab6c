// Compaction of DataStoreImpl: merge a chunk's slices into one.
#include <spdlog/spdlog.h>

#include <cstring>

#include "chunk/block_key.h"
#include "chunk/chunk_view.h"
#include "chunk/data_store_impl.h"

namespace slicefs {

void DataStoreImpl::NoteCommit(Ino ino, uint32_t chunk) {
  if (!opts_.compactInBackground || opts_.compactThreshold == 0) return;
  bool check = false;
  {
    std::lock_guard lk(compactMu_);
    if (commitsSinceCheck_.size() > 100000) commitsSinceCheck_.clear();
    uint32_t& c = commitsSinceCheck_[{ino, chunk}];
    if (++c >= opts_.compactThreshold) {
      c = 0;
      check = true;
    }
  }
  if (check) ScheduleCompaction(ino, chunk);
}

void DataStoreImpl::ScheduleCompaction(Ino ino, uint32_t chunk) {
  if (!opts_.compactInBackground || opts_.compactThreshold == 0) return;
  {
    std::lock_guard lk(compactMu_);
    if (!compacting_.insert({ino, chunk}).second) return;
  }
  compactPool_->Submit([this, ino, chunk] {
    // A concurrent truncate or another client's compaction cancels an
    // attempt; try again a couple of times on the fresh records.
    for (int attempt = 0; attempt < 3; attempt++) {
      auto recs = meta_->ReadChunk(ino, chunk);
      if (!recs || recs->size() <= opts_.compactThreshold) break;
      Status st = CompactLocked(ino, chunk);
      if (st.is(ECANCELED)) continue;
      if (!st.ok() && !st.is(ENOENT)) {
        spdlog::warn("compact inode {} chunk {}: {}", ino, chunk, st.ToString());
      }
      break;
    }
    {
      std::lock_guard lk(compactMu_);
      compacting_.erase({ino, chunk});
    }
    compactCv_.notify_all();
  });
}

Status DataStoreImpl::Compact(Ino ino, uint32_t index) {
  {
    std::unique_lock lk(compactMu_);
    compactCv_.wait(lk, [&] { return !compacting_.count({ino, index}); });
    compacting_.insert({ino, index});
  }
  Status st = CompactLocked(ino, index);
  {
    std::lock_guard lk(compactMu_);
    compacting_.erase({ino, index});
  }
  compactCv_.notify_all();
  return st;
}

// Fills dst with chunk bytes [lo, hi) of a committed view (zeros in holes).
Status DataStoreImpl::ReadView(const std::vector<ViewPiece>& view, uint64_t lo, uint64_t hi, char* dst) {
  std::memset(dst, 0, hi - lo);
  for (auto& p : view) {
    uint64_t a = std::max<uint64_t>(p.pos, lo), e = std::min<uint64_t>(p.pos + p.len, hi);
    if (a >= e) continue;
    RETURN_IF_ERROR(ReadSlice(p.id, p.size, p.off + static_cast<uint32_t>(a - p.pos),
                              static_cast<uint32_t>(e - a), dst + (a - lo), true));
  }
  return Status::OK();
}

// The caller holds the chunk's mark in compacting_.
Status DataStoreImpl::CompactLocked(Ino ino, uint32_t index) {
  ASSIGN_OR_RETURN(std::vector<SliceRecord> recs, meta_->ReadChunk(ino, index));
  if (recs.size() < 2) return Status::OK();
  std::vector<ViewPiece> view = BuildView(recs, kChunkSize);
  // Runs of data: pieces closer than one block are merged (the gap is
  // stored as zeros); larger holes are left out of the new slice. The new
  // slice holds the runs back to back; one record per run places it.
  struct Run {
    uint32_t pos, len, sliceOff;
  };
  std::vector<Run> runs;
  uint32_t total = 0;
  for (auto& p : view) {
    if (!runs.empty() && p.pos - (runs.back().pos + runs.back().len) < blockSize_) {
      uint32_t newLen = p.pos + p.len - runs.back().pos;
      total += newLen - runs.back().len;
      runs.back().len = newLen;
    } else {
      runs.push_back({p.pos, p.len, total});
      total += p.len;
    }
  }
  std::vector<SliceRecord> replacement;
  uint64_t newId = 0;
  if (total > 0) {
    ASSIGN_OR_RETURN(newId, meta_->NewSliceId());
    for (auto& r : runs) replacement.push_back({r.pos, newId, total, r.sliceOff, r.len});
    // Blocks are read here and uploaded on the upload pool, a few at a time.
    struct Uploads {
      std::mutex mu;
      std::condition_variable cv;
      int inFlight = 0;
      Status err;
    };
    auto ups = std::make_shared<Uploads>();
    const int kMaxInFlight = std::max(1, std::min(opts_.maxUploads, 8));
    Status st;
    uint32_t nblocks = BlockCount(total, blockSize_);
    for (uint32_t b = 0; b < nblocks && st.ok(); b++) {
      uint32_t blen = BlockLength(total, blockSize_, b);
      uint64_t lo = static_cast<uint64_t>(b) * blockSize_, hi = lo + blen;  // in the new slice
      auto buf = std::make_shared<std::string>(blen, '\0');
      for (auto& r : runs) {
        uint64_t a = std::max<uint64_t>(r.sliceOff, lo), e = std::min<uint64_t>(r.sliceOff + r.len, hi);
        if (a >= e) continue;
        uint64_t chunkLo = r.pos + (a - r.sliceOff);
        st = ReadView(view, chunkLo, chunkLo + (e - a), buf->data() + (a - lo));
        if (!st.ok()) break;
      }
      if (!st.ok()) break;
      std::unique_lock lk(ups->mu);
      ups->cv.wait(lk, [&] { return ups->inFlight < kMaxInFlight; });
      if (!ups->err.ok()) break;
      ups->inFlight++;
      lk.unlock();
      uploadPool_->Submit([this, ups, buf, key = BlockKey(newId, b, blen)] {
        Status s = store_->put(key, *buf);
        std::lock_guard l(ups->mu);
        if (!s.ok() && ups->err.ok()) ups->err = s;
        ups->inFlight--;
        ups->cv.notify_all();
      });
    }
    {
      std::unique_lock lk(ups->mu);
      ups->cv.wait(lk, [&] { return ups->inFlight == 0; });
      if (st.ok()) st = ups->err;
    }
    if (!st.ok()) {
      (void)DeleteSlice(newId, total);
      // A block gone: another client compacted or truncated the chunk.
      if (st.is(ENOENT)) {
        compactionsCanceled_++;
        return Status::Error(ECANCELED, "chunk changed during compaction: " + st.message());
      }
      return st;
    }
  }
  Status st = meta_->CompactChunk(ino, index, recs, replacement);
  if (!st.ok()) {
    if (newId) (void)DeleteSlice(newId, total);
    if (st.is(ECANCELED)) compactionsCanceled_++;
    return st;
  }
  compactions_++;
  InvalidateChunk(ino, index);
  return Status::OK();
}

}  // namespace slicefs
