// Write path of DataStoreImpl: buffering, block uploads, ordered commits.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "chunk/block_key.h"
#include "chunk/data_store_impl.h"

#include "common/clock.h"

namespace slicefs {

namespace {
constexpr uint64_t kMaxFileSize = static_cast<uint64_t>(UINT32_MAX) * kChunkSize;
constexpr int64_t kIdleFreezeMs = 3000;  // a slice idle this long is committed
}  // namespace

DataStoreImpl::WriterPtr DataStoreImpl::GetWriter(Ino ino, bool create) {
  std::lock_guard lk(writersMu_);
  auto it = writers_.find(ino);
  if (it != writers_.end()) return it->second;
  if (!create) return nullptr;
  auto fw = std::make_shared<FileWriter>(ino);
  writers_.emplace(ino, fw);
  return fw;
}

Result<size_t> DataStoreImpl::Write(Ino ino, uint64_t off, std::span<const char> data) {
  if (data.empty()) return 0;
  if (off > kMaxFileSize || data.size() > kMaxFileSize - off) return Err(EFBIG, "write past the maximum file size");
  size_t done = 0;
  while (done < data.size()) {
    uint64_t pos = off + done;
    uint32_t chunk = static_cast<uint32_t>(pos / kChunkSize);
    uint32_t cpos = static_cast<uint32_t>(pos % kChunkSize);
    size_t n = std::min<uint64_t>({data.size() - done, kChunkSize - cpos, blockSize_});
    budget_.Acquire(n);
    Status st = WritePiece(ino, chunk, cpos, data.subspan(done, n));
    if (!st.ok()) {
      budget_.Release(n);
      if (done > 0) return done;
      return Err(st);
    }
    done += n;
  }
  return done;
}

// Appends `data` (charged to the budget by the caller) to the slice that
// ends at `cpos` in `chunk`, or to a new slice.
Status DataStoreImpl::WritePiece(Ino ino, uint32_t chunk, uint32_t cpos, std::span<const char> data) {
  WriterPtr fw;
  std::unique_lock<std::mutex> lk;
  for (;;) {
    fw = GetWriter(ino, true);
    lk = std::unique_lock(fw->mu);
    if (!fw->dead) break;
    lk.unlock();
  }
  SlicePtr s;
  for (auto it = fw->slices.rbegin(); it != fw->slices.rend(); ++it) {
    if ((*it)->chunk == chunk) {
      s = *it;
      break;
    }
  }
  if (!s || s->frozen || s->pos + s->len != cpos) {
    if (s && !s->frozen) Freeze(fw, s);
    auto id = meta_->NewSliceId();
    if (!id) return id.error();
    s = std::make_shared<PendingSlice>();
    s->chunk = chunk;
    s->pos = cpos;
    s->id = *id;
    s->seq = fw->nextSeq++;
    fw->slices.push_back(s);
  }
  size_t done = 0;
  while (done < data.size()) {
    uint32_t b = s->len / blockSize_;
    uint32_t inBlock = s->len % blockSize_;
    if (b == s->blocks.size()) {
      auto bb = std::make_unique<BlockBuf>();
      // A block started by a continuing stream will most likely fill up.
      // (No huge-page advice here: a partly written block would then hold
      // 2 MiB pages that the buffer budget, which counts bytes, cannot see.)
      uint64_t room = std::min<uint64_t>(blockSize_, kChunkSize - s->pos - s->len);
      bb->data.reserve(b > 0 ? room : std::min<uint64_t>(room, data.size() - done));
      s->blocks.push_back(std::move(bb));
    }
    BlockBuf* bb = s->blocks[b].get();
    size_t m = std::min<size_t>(data.size() - done, blockSize_ - inBlock);
    bb->data.append(data.data() + done, m);
    bb->charged += m;
    fillingBytes_ += m;
    s->len += static_cast<uint32_t>(m);
    done += m;
    if (inBlock + m == blockSize_) StartUpload(fw, s, b);
  }
  s->lastWriteMs = MonoMs();
  if (s->pos + s->len == kChunkSize) Freeze(fw, s);
  return Status::OK();
}

void DataStoreImpl::Freeze(const WriterPtr& fw, const SlicePtr& s) {
  if (s->frozen) return;
  s->frozen = true;
  if (!s->blocks.empty()) {
    uint32_t last = static_cast<uint32_t>(s->blocks.size() - 1);
    BlockBuf* bb = s->blocks[last].get();
    if (bb->state == BlockState::kFilling && !bb->data.empty()) StartUpload(fw, s, last);
  }
  NotifyCommitter(fw);
}

void DataStoreImpl::StartUpload(const WriterPtr& fw, const SlicePtr& s, uint32_t b) {
  BlockBuf* bb = s->blocks[b].get();
  bb->state = BlockState::kUploading;
  fillingBytes_ -= bb->charged;
  s->uploading++;
  uploadPool_->Submit([this, fw, s, b, bb] { UploadBlock(fw, s, b, bb); });
}

void DataStoreImpl::UploadBlock(WriterPtr fw, SlicePtr s, uint32_t b, BlockBuf* bb) {
  // bb->data is immutable while the block is uploading.
  std::string key = BlockKey(s->id, b, static_cast<uint32_t>(bb->data.size()));
  Status st = store_->put(key, bb->data);
  uint64_t charged;
  {
    std::lock_guard lk(fw->mu);
    if (st.ok()) {
      bb->storedLen = static_cast<uint32_t>(bb->data.size());
      // Not kept in the memory cache: written data would otherwise hold
      // memCacheSize on top of bufferSize while streaming a big file. The
      // buffer is released now (swap: assigning an empty string would keep
      // the capacity, i.e. the whole block, until the slice is committed).
      std::string().swap(bb->data);
      bb->state = BlockState::kStored;
    } else {
      bb->state = BlockState::kFailed;
      std::string().swap(bb->data);
      // A full store keeps its errno (ENOSPC, EDQUOT) so that the
      // application sees "No space left on device", not a generic EIO.
      const int code = st.code() == ENOSPC || st.code() == EDQUOT ? st.code() : EIO;
      if (s->err.ok()) s->err = Status::Error(code, "upload " + key + ": " + st.ToString());
      spdlog::error("upload {}: {}", key, st.ToString());
    }
    charged = bb->charged;
    bb->charged = 0;
    s->uploading--;
  }
  if (st.ok()) blocksUploaded_++;
  budget_.Release(charged);
  fw->cv.notify_all();
  NotifyCommitter(fw);
}

void DataStoreImpl::NotifyCommitter(const WriterPtr& fw) {
  {
    std::lock_guard lk(committerMu_);
    commitQueue_.push_back(fw);
  }
  committerCv_.notify_one();
}

void DataStoreImpl::CommitReady(const WriterPtr& fw) {
  std::lock_guard cl(fw->commitMu);
  for (;;) {
    SlicePtr s;
    {
      std::lock_guard lk(fw->mu);
      if (fw->slices.empty()) return;
      s = fw->slices.front();
      if (!s->frozen || s->uploading > 0) return;
      if (!s->err.ok()) {
        fw->slices.pop_front();
        fw->retired++;
        if (fw->err.ok()) fw->err = s->err;
        fw->cv.notify_all();
        DeleteAsync(s->id, s->len);
        continue;
      }
    }
    SliceRecord rec{s->pos, s->id, s->len, 0, s->len};
    Status st = meta_->WriteSlice(fw->ino, s->chunk, rec, WallNs());
    if (st.ok()) {
      slicesCommitted_++;
      InvalidateChunk(fw->ino, s->chunk);  // before it stops being pending
      NoteCommit(fw->ino, s->chunk);
    } else if (!st.is(ENOENT)) {
      spdlog::error("commit slice {} of inode {}: {}", s->id, fw->ino, st.ToString());
    }
    {
      std::lock_guard lk(fw->mu);
      fw->slices.pop_front();
      fw->retired++;
      // ENOENT: the file is gone; its data is simply dropped.
      if (!st.ok() && !st.is(ENOENT) && fw->err.ok()) fw->err = st;
    }
    fw->cv.notify_all();
    if (!st.ok()) DeleteAsync(s->id, s->len);
  }
}

void DataStoreImpl::CommitterLoop() {
  int64_t lastIdleScan = MonoMs();
  std::unique_lock lk(committerMu_);
  for (;;) {
    committerCv_.wait_for(lk, std::chrono::milliseconds(200),
                          [&] { return stop_ || !commitQueue_.empty(); });
    if (stop_ && commitQueue_.empty()) return;
    std::deque<WriterPtr> q;
    q.swap(commitQueue_);
    lk.unlock();
    WriterPtr prev;
    for (auto& fw : q) {
      if (fw == prev) continue;
      prev = fw;
      CommitReady(fw);
    }
    q.clear();
    prev.reset();
    if (MonoMs() - lastIdleScan > 500) {
      lastIdleScan = MonoMs();
      FreezeIdle(kIdleFreezeMs);
    }
    lk.lock();
  }
}

// Freezes slices not written for idleMs (idleMs < 0: all with a filling
// block, under memory pressure) and forgets writers with nothing pending.
void DataStoreImpl::FreezeIdle(int64_t idleMs) {
  std::vector<WriterPtr> all;
  {
    std::lock_guard lk(writersMu_);
    for (auto it = writers_.begin(); it != writers_.end();) {
      WriterPtr fw = it->second;
      std::lock_guard fl(fw->mu);
      if (fw->slices.empty() && fw->err.ok()) {
        fw->dead = true;
        it = writers_.erase(it);
        continue;
      }
      all.push_back(fw);
      ++it;
    }
  }
  int64_t now = MonoMs();
  for (auto& fw : all) {
    std::lock_guard lk(fw->mu);
    for (auto& s : fw->slices) {
      if (s->frozen) continue;
      if (idleMs >= 0 && now - s->lastWriteMs < idleMs) continue;
      Freeze(fw, s);
    }
  }
}

void DataStoreImpl::RelievePressure() {
  // Only worth it when a good part of the buffer sits in blocks that are
  // still filling (uploading blocks free themselves).
  if (fillingBytes_.load() * 2 < budget_.used()) return;
  FreezeIdle(-1);
}

Status DataStoreImpl::Flush(Ino ino) {
  WriterPtr fw = GetWriter(ino, false);
  if (!fw) return Status::OK();
  uint64_t target;
  {
    std::lock_guard lk(fw->mu);
    for (auto& s : fw->slices) Freeze(fw, s);
    target = fw->nextSeq - 1;
  }
  for (;;) {
    CommitReady(fw);
    std::unique_lock lk(fw->mu);
    if (fw->slices.empty() || fw->slices.front()->seq > target) break;
    SlicePtr front = fw->slices.front();
    if (front->uploading == 0) continue;  // ready: commit it now
    fw->cv.wait_for(lk, std::chrono::milliseconds(100));
  }
  std::lock_guard lk(fw->mu);
  Status err = fw->err;
  fw->err = Status::OK();
  if (!err.ok() && err.code() != EIO && err.code() != ENOSPC && err.code() != EDQUOT) {
    err = Status::IOError(err.ToString());
  }
  return err;
}

Status DataStoreImpl::FlushAll() {
  std::vector<Ino> inos;
  {
    std::lock_guard lk(writersMu_);
    for (auto& [ino, fw] : writers_) inos.push_back(ino);
  }
  Status first;
  for (Ino ino : inos) {
    Status st = Flush(ino);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

uint64_t DataStoreImpl::PendingLength(Ino ino) {
  WriterPtr fw = GetWriter(ino, false);
  if (!fw) return 0;
  std::lock_guard lk(fw->mu);
  uint64_t end = 0;
  for (auto& s : fw->slices) {
    end = std::max(end, static_cast<uint64_t>(s->chunk) * kChunkSize + s->pos + s->len);
  }
  return end;
}

}  // namespace slicefs
