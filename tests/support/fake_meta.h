// A test double of the metadata calls the data layer uses (chunk/slice_meta.h),
// for unit tests of the data path (src/chunk) that must not depend on the
// real metadata layer. NewSliceId, ReadChunk, WriteSlice, CompactChunk and
// SetSliceDeleter over in-memory maps with slice reference counts (a slice
// whose last reference goes calls the deleter), plus Truncate, Length and
// Remove for tests that play the rest of the filesystem. Thread-safe.
#pragma once

#include <algorithm>
#include <functional>
#include <utility>
#include <map>
#include <mutex>

#include "chunk/slice_meta.h"

namespace slicefs::testing {

class FakeMeta : public SliceMeta {
 public:
  explicit FakeMeta(VolumeFormat fmt) : fmt_(std::move(fmt)) {}

  const VolumeFormat& format() const override { return fmt_; }

  Result<uint64_t> NewSliceId() override {
    std::lock_guard lk(mu_);
    return ++nextSlice_;
  }
  Result<std::vector<SliceRecord>> ReadChunk(Ino ino, uint32_t index) override {
    if (onReadChunk) {  // a test's hook, run once, outside the lock
      auto hook = std::exchange(onReadChunk, nullptr);
      hook();
    }
    std::lock_guard lk(mu_);
    readChunkCalls++;
    auto it = chunks_.find({ino, index});
    if (it == chunks_.end()) return std::vector<SliceRecord>{};
    return it->second;
  }
  Status WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t) override {
    std::lock_guard lk(mu_);
    if (removed_.count(ino)) return Status::NotFound("inode gone");
    chunks_[{ino, index}].push_back(rec);
    if (rec.id) refs_[{rec.id, rec.size}]++;
    uint64_t end = static_cast<uint64_t>(index) * kChunkSize + rec.pos + rec.len;
    if (end > length_[ino]) length_[ino] = end;
    return Status::OK();
  }
  uint64_t Length(Ino ino) {
    std::lock_guard lk(mu_);
    return length_[ino];
  }
  // Sets the length; shrinking drops the chunks past it and hides the rest
  // of the last one behind a hole record.
  void Truncate(Ino ino, uint64_t length) {
    std::vector<std::pair<uint64_t, uint32_t>> dead;
    {
      std::lock_guard lk(mu_);
      uint64_t old = length_[ino];
      length_[ino] = length;
      if (length < old) {
        for (auto it = chunks_.lower_bound({ino, 0}); it != chunks_.end() && it->first.first == ino;) {
          uint64_t start = static_cast<uint64_t>(it->first.second) * kChunkSize;
          if (start >= length) {
            for (auto& r : it->second) Unref(r, &dead);
            it = chunks_.erase(it);
            continue;
          }
          if (start + kChunkSize > length) {
            // Hide everything past the new length with a hole record.
            uint32_t pos = static_cast<uint32_t>(length - start);
            it->second.push_back({pos, 0, 0, 0, static_cast<uint32_t>(kChunkSize - pos)});
          }
          ++it;
        }
      }
    }
    for (auto& [id, size] : dead) CallDeleter(id, size);
  }
  Status CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                      const std::vector<SliceRecord>& replacement) override {
    std::vector<std::pair<uint64_t, uint32_t>> dead;
    {
      std::lock_guard lk(mu_);
      auto& cur = chunks_[{ino, index}];
      if (cur.size() < expected.size() || !std::equal(expected.begin(), expected.end(), cur.begin())) {
        return Status::Error(ECANCELED, "chunk changed");
      }
      for (auto& r : replacement) {
        if (r.id) refs_[{r.id, r.size}]++;
      }
      for (auto& r : expected) Unref(r, &dead);
      std::vector<SliceRecord> next = replacement;
      next.insert(next.end(), cur.begin() + static_cast<std::ptrdiff_t>(expected.size()), cur.end());
      cur = std::move(next);
    }
    for (auto& [id, size] : dead) CallDeleter(id, size);
    return Status::OK();
  }
  // Drops all data of the inode, as an unlink without trash would.
  void Remove(Ino ino) {
    std::vector<std::pair<uint64_t, uint32_t>> dead;
    {
      std::lock_guard lk(mu_);
      removed_[ino] = true;
      for (auto it = chunks_.lower_bound({ino, 0}); it != chunks_.end() && it->first.first == ino;) {
        for (auto& r : it->second) Unref(r, &dead);
        it = chunks_.erase(it);
      }
    }
    for (auto& [id, size] : dead) CallDeleter(id, size);
  }
  void SetSliceDeleter(SliceDeleter d) override {
    std::lock_guard lk(mu_);
    deleter_ = std::move(d);
  }
  // Lets a test change records behind the DataStore's back (another client).
  void SetChunk(Ino ino, uint32_t index, std::vector<SliceRecord> recs) {
    std::lock_guard lk(mu_);
    chunks_[{ino, index}] = std::move(recs);
  }
  int readChunkCalls = 0;
  // Called (once, then cleared) at the start of the next ReadChunk, before it
  // reads: lets a test change the volume between a reader's steps. Set it
  // while no other thread reads.
  std::function<void()> onReadChunk;


 private:
  void Unref(const SliceRecord& r, std::vector<std::pair<uint64_t, uint32_t>>* dead) {
    if (!r.id) return;
    auto it = refs_.find({r.id, r.size});
    if (it == refs_.end()) return;
    if (--it->second == 0) {
      refs_.erase(it);
      dead->push_back({r.id, r.size});
    }
  }
  void CallDeleter(uint64_t id, uint32_t size) {
    SliceDeleter d;
    {
      std::lock_guard lk(mu_);
      d = deleter_;
    }
    if (d) d(id, size);
  }

  VolumeFormat fmt_;
  std::mutex mu_;
  uint64_t nextSlice_ = 0;
  std::map<std::pair<Ino, uint32_t>, std::vector<SliceRecord>> chunks_;
  std::map<std::pair<uint64_t, uint32_t>, int> refs_;
  std::map<Ino, uint64_t> length_;
  std::map<Ino, bool> removed_;
  SliceDeleter deleter_;
};

}  // namespace slicefs::testing
