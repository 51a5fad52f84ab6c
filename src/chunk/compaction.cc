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
    auto recs = meta_->ReadChunk(ino, chunk);
    if (recs && recs->size() > opts_.compactThreshold) {
      Status st = Compact(ino, chunk);
      if (!st.ok() && !st.is(ECANCELED) && !st.is(ENOENT)) {
        spdlog::warn("compact inode {} chunk {}: {}", ino, chunk, st.ToString());
      }
    }
    std::lock_guard lk(compactMu_);
    compacting_.erase({ino, chunk});
  });
}

Status DataStoreImpl::Compact(Ino ino, uint32_t index) {
  ASSIGN_OR_RETURN(std::vector<SliceRecord> recs, meta_->ReadChunk(ino, index));
  if (recs.size() < 2) return Status::OK();
  std::vector<ViewPiece> view = BuildView(recs, kChunkSize);
  std::vector<SliceRecord> replacement;
  uint64_t newId = 0;
  uint32_t start = 0, total = 0;
  if (!view.empty()) {
    start = view.front().pos;
    total = view.back().pos + view.back().len - start;
    ASSIGN_OR_RETURN(newId, meta_->NewSliceId());
    replacement.push_back({start, newId, total, 0, total});
    uint32_t nblocks = BlockCount(total, blockSize_);
    for (uint32_t b = 0; b < nblocks; b++) {
      uint32_t blen = BlockLength(total, blockSize_, b);
      uint64_t lo = static_cast<uint64_t>(start) + static_cast<uint64_t>(b) * blockSize_;
      uint64_t hi = lo + blen;
      std::string buf(blen, '\0');
      Status st;
      for (auto& p : view) {
        uint64_t a = std::max<uint64_t>(p.pos, lo), e = std::min<uint64_t>(p.pos + p.len, hi);
        if (a >= e) continue;
        st = ReadSlice(p.id, p.size, p.off + static_cast<uint32_t>(a - p.pos), static_cast<uint32_t>(e - a),
                       buf.data() + (a - lo), true);
        if (!st.ok()) break;
      }
      if (st.ok()) st = store_.put(BlockKey(newId, b, blen), buf);
      if (!st.ok()) {
        (void)DeleteSlice(newId, total);
        return st;
      }
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
