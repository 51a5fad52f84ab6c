// Read path of DataStoreImpl: chunk views, pending overlay, readahead.
#include <spdlog/spdlog.h>
#include <algorithm>
#include <cstring>

#include "chunk/block_key.h"
#include "chunk/chunk_view.h"
#include "chunk/data_store_impl.h"

namespace slicefs {

namespace {
constexpr int64_t kRecordsTtlMs = 1000;
constexpr size_t kMaxCachedViews = 100000;
constexpr size_t kMaxStreams = 10000;
}  // namespace

Result<DataStoreImpl::Records> DataStoreImpl::ChunkRecords(Ino ino, uint32_t chunk) {
  const auto key = std::make_pair(ino, chunk);
  uint64_t gen;
  {
    std::lock_guard lk(viewMu_);
    auto it = views_.find(key);
    if (it != views_.end() && MonoMs() - it->second.fetchedMs < kRecordsTtlMs) return it->second.recs;
    gen = viewGen_[ino % kGenStripes];
  }
  auto r = meta_->ReadChunk(ino, chunk);
  if (!r) return Err(r.error());
  auto recs = std::make_shared<const std::vector<SliceRecord>>(std::move(*r));
  if (recs->size() > opts_.compactThreshold) ScheduleCompaction(ino, chunk);
  std::lock_guard lk(viewMu_);
  if (viewGen_[ino % kGenStripes] == gen) {
    if (views_.size() >= kMaxCachedViews) views_.clear();
    views_[key] = CachedRecords{recs, MonoMs()};
  }
  return recs;
}

void DataStoreImpl::InvalidateChunk(Ino ino, uint32_t chunk) {
  std::lock_guard lk(viewMu_);
  viewGen_[ino % kGenStripes]++;
  views_.erase({ino, chunk});
}

void DataStoreImpl::Invalidate(Ino ino) {
  {
    std::lock_guard lk(viewMu_);
    viewGen_[ino % kGenStripes]++;
    views_.erase(views_.lower_bound({ino, 0}), views_.upper_bound({ino, UINT32_MAX}));
  }
  std::lock_guard lk(raMu_);
  streams_.erase(ino);
}

std::vector<DataStoreImpl::PendingRef> DataStoreImpl::SnapshotPending(Ino ino, uint32_t chunk, uint64_t* retired) {
  std::vector<PendingRef> out;
  *retired = 0;
  WriterPtr fw = GetWriter(ino, false);
  if (!fw) return out;
  std::lock_guard lk(fw->mu);
  *retired = fw->retired;
  for (auto& s : fw->slices) {
    if (s->chunk == chunk && s->len > 0) out.push_back({fw, s, s->len});
  }
  return out;
}

bool DataStoreImpl::RetiredSince(Ino ino, uint64_t retired) {
  WriterPtr fw = GetWriter(ino, false);
  if (!fw) return retired != 0;
  std::lock_guard lk(fw->mu);
  return fw->retired != retired;
}

Status DataStoreImpl::ReadPending(const PendingRef& p, uint32_t off, uint32_t n, char* dst) {
  struct Fetch {
    std::string key;
    uint32_t blockLen, inOff, cnt;
    char* dst;
  };
  std::vector<Fetch> fetches;
  {
    std::lock_guard lk(p.fw->mu);
    uint32_t done = 0;
    while (done < n) {
      uint32_t pos = off + done;
      uint32_t b = pos / blockSize_, inOff = pos % blockSize_;
      uint32_t cnt = std::min(n - done, blockSize_ - inOff);
      if (b >= p.s->blocks.size()) return Status::IOError("pending slice shorter than expected");
      BlockBuf* bb = p.s->blocks[b].get();
      switch (bb->state) {
        case BlockState::kFilling:
        case BlockState::kUploading:
          if (inOff + cnt > bb->data.size()) return Status::IOError("pending block shorter than expected");
          std::memcpy(dst + done, bb->data.data() + inOff, cnt);
          break;
        case BlockState::kStored:
          fetches.push_back({BlockKey(p.s->id, b, bb->storedLen), bb->storedLen, inOff, cnt, dst + done});
          break;
        case BlockState::kFailed:
          return Status::IOError("block upload failed; buffered data lost");
      }
      done += cnt;
    }
  }
  for (auto& f : fetches) RETURN_IF_ERROR(fetcher_.Read(f.key, f.blockLen, f.inOff, f.cnt, f.dst, true));
  return Status::OK();
}

Status DataStoreImpl::ReadSlice(uint64_t id, uint32_t size, uint32_t off, uint32_t n, char* dst,
                                bool whole) {
  uint32_t done = 0;
  while (done < n) {
    uint32_t pos = off + done;
    uint32_t b = pos / blockSize_, inOff = pos % blockSize_;
    uint32_t blen = BlockLength(size, blockSize_, b);
    if (inOff >= blen) return Status::IOError("slice record points past its slice");
    uint32_t cnt = std::min(n - done, blen - inOff);
    bool w = whole || static_cast<uint64_t>(cnt) * 4 >= blen;
    RETURN_IF_ERROR(fetcher_.Read(BlockKey(id, b, blen), blen, inOff, cnt, dst + done, w));
    done += cnt;
  }
  return Status::OK();
}

Status DataStoreImpl::ReadChunkRange(Ino ino, uint32_t chunk, uint32_t cpos, uint32_t n, char* dst,
                                     uint64_t length, bool seq) {
  // Pending slices first, then the committed records: a slice committed in
  // between shows up in both, which is harmless (it stays below the newer
  // pending ones). But when slices were committed *and* taken off the pending
  // list in between, the snapshot holds a slice older than records committed
  // after it, and laying it on top would show older data than a previous
  // read did; then read both again. A writer that keeps committing faster
  // than this can read gets, after a few tries, the pending slices that the
  // records already hold dropped by id (compaction meanwhile aside).
  std::vector<PendingRef> pending;
  Records recs;
  for (int attempt = 0;; attempt++) {
    uint64_t retired = 0;
    pending = SnapshotPending(ino, chunk, &retired);
    ASSIGN_OR_RETURN(recs, ChunkRecords(ino, chunk));
    if (pending.empty() || !RetiredSince(ino, retired)) break;
    if (attempt >= 8) {
      std::erase_if(pending, [&](const PendingRef& p) {
        return std::any_of(recs->begin(), recs->end(), [&](const SliceRecord& r) { return r.id == p.s->id; });
      });
      break;
    }
  }
  std::vector<SliceRecord> all;
  all.reserve(recs->size() + pending.size());
  all.insert(all.end(), recs->begin(), recs->end());
  for (auto& p : pending) all.push_back({p.s->pos, p.s->id, p.len, 0, p.len});
  uint64_t chunkStart = static_cast<uint64_t>(chunk) * kChunkSize;
  uint64_t limit = std::min<uint64_t>(kChunkSize, length > chunkStart ? length - chunkStart : 0);
  std::vector<ViewPiece> view = BuildView(all, limit);
  std::memset(dst, 0, n);
  uint64_t end = static_cast<uint64_t>(cpos) + n;
  for (auto& p : view) {
    uint64_t a = std::max<uint64_t>(p.pos, cpos);
    uint64_t b = std::min<uint64_t>(static_cast<uint64_t>(p.pos) + p.len, end);
    if (a >= b) continue;
    uint32_t sliceOff = p.off + static_cast<uint32_t>(a - p.pos);
    char* out = dst + (a - cpos);
    uint32_t cnt = static_cast<uint32_t>(b - a);
    if (p.rec >= recs->size()) {
      RETURN_IF_ERROR(ReadPending(pending[p.rec - recs->size()], sliceOff, cnt, out));
    } else {
      RETURN_IF_ERROR(ReadSlice(p.id, p.size, sliceOff, cnt, out, seq));
    }
  }
  return Status::OK();
}

Result<size_t> DataStoreImpl::Read(Ino ino, uint64_t off, std::span<char> out, uint64_t length) {
  if (off >= length || out.empty()) return 0;
  uint64_t n = std::min<uint64_t>(out.size(), length - off);
  uint64_t raFrom = 0, raTo = 0;
  bool seq = NoteRead(ino, off, n, length, &raFrom, &raTo);
  uint64_t done = 0;
  while (done < n) {
    uint64_t pos = off + done;
    uint32_t chunk = static_cast<uint32_t>(pos / kChunkSize);
    uint32_t cpos = static_cast<uint32_t>(pos % kChunkSize);
    uint32_t m = static_cast<uint32_t>(std::min<uint64_t>(n - done, kChunkSize - cpos));
    Status st;
    for (int attempt = 0;; attempt++) {
      st = ReadChunkRange(ino, chunk, cpos, m, out.data() + done, length, seq);
      // A block vanished: the chunk was compacted or truncated meanwhile.
      if (st.ok() || !st.is(ENOENT) || attempt >= 4) break;
      readRetries_++;
      InvalidateChunk(ino, chunk);
    }
    if (!st.ok()) {
      if (st.is(ENOENT)) st = Status::IOError(st.message());
      spdlog::warn("read of inode {} at {} (chunk {}) failed: {}", ino, pos, chunk, st.ToString());
      if (done > 0) return done;
      return Err(st);
    }
    done += m;
  }
  if (raTo > raFrom) Prefetch(ino, raFrom, raTo, length);
  return static_cast<size_t>(n);
}

// Tracks sequential streams; returns true for a sequential read and the
// range to prefetch next.
bool DataStoreImpl::NoteRead(Ino ino, uint64_t off, uint64_t n, uint64_t length, uint64_t* raFrom,
                             uint64_t* raTo) {
  if (opts_.readaheadMax == 0) return false;
  std::lock_guard lk(raMu_);
  if (streams_.size() >= kMaxStreams && !streams_.count(ino)) streams_.clear();
  Stream& st = streams_[ino];
  bool seq = off == st.nextOff && off > 0;
  if (seq) {
    st.window = std::min<uint64_t>(std::max<uint64_t>(st.window * 2, blockSize_), opts_.readaheadMax);
  } else {
    st.window = 0;
    st.prefetchedTo = 0;
  }
  st.nextOff = off + n;
  if (st.window > 0) {
    uint64_t from = std::max(off + n, st.prefetchedTo);
    uint64_t to = std::min(off + n + st.window, length);
    if (to > from) {
      *raFrom = from;
      *raTo = to;
      st.prefetchedTo = to;
    }
  }
  return seq;
}

void DataStoreImpl::Prefetch(Ino ino, uint64_t from, uint64_t to, uint64_t length) {
  // Whole committed blocks overlapping [from, to), fetched in the background.
  for (uint64_t pos = from; pos < to;) {
    if (prefetchPool_->Queued() > static_cast<size_t>(2 * opts_.maxDownloads)) return;
    uint32_t chunk = static_cast<uint32_t>(pos / kChunkSize);
    uint64_t chunkStart = static_cast<uint64_t>(chunk) * kChunkSize;
    uint64_t chunkEnd = std::min(to, chunkStart + kChunkSize);
    auto recs = ChunkRecords(ino, chunk);
    if (!recs) return;
    uint64_t limit = std::min<uint64_t>(kChunkSize, length - chunkStart);
    for (auto& p : BuildView(**recs, limit)) {
      uint64_t a = std::max<uint64_t>(chunkStart + p.pos, pos);
      uint64_t b = std::min<uint64_t>(chunkStart + p.pos + p.len, chunkEnd);
      if (a >= b) continue;
      uint32_t first = (p.off + static_cast<uint32_t>(a - chunkStart - p.pos)) / blockSize_;
      uint32_t last = (p.off + static_cast<uint32_t>(b - chunkStart - p.pos) - 1) / blockSize_;
      for (uint32_t blk = first; blk <= last; blk++) {
        uint32_t blen = BlockLength(p.size, blockSize_, blk);
        std::string key = BlockKey(p.id, blk, blen);
        if (blen == 0 || fetcher_.Cached(key)) continue;
        prefetchPool_->Submit([this, key, blen] { (void)fetcher_.Block(key, blen); });
      }
    }
    pos = chunkEnd;
  }
}

}  // namespace slicefs
