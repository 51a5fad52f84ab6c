#include "chunk/block_fetcher.h"

#include <cstring>

namespace slicefs {

namespace {
struct SemGuard {
  std::counting_semaphore<1024>& s;
  explicit SemGuard(std::counting_semaphore<1024>& sem) : s(sem) { s.acquire(); }
  ~SemGuard() { s.release(); }
};
}  // namespace

bool BlockFetcher::Cached(const std::string& key) {
  if (mem_->Contains(key)) return true;
  if (disk_ && disk_->Contains(key)) return true;
  std::lock_guard lk(mu_);
  return flights_.count(key) != 0;
}

void BlockFetcher::Forget(const std::string& key) {
  mem_->Erase(key);
  if (disk_) disk_->Erase(key);
}

Result<BlockData> BlockFetcher::Download(const std::string& key, uint32_t blockLen) {
  if (disk_) {
    if (auto d = disk_->Get(key); d && d->size() == blockLen) {
      stats_.diskHits++;
      return std::make_shared<const std::string>(std::move(*d));
    }
  }
  Result<std::string> r;
  {
    SemGuard g(sem_);
    stats_.blockGets++;
    r = store_->get(key);
  }
  if (!r) return Err(r.error());
  if (r->size() != blockLen) {
    return Err(EIO, "object " + key + " has " + std::to_string(r->size()) + " bytes, expected " +
                        std::to_string(blockLen));
  }
  auto data = std::make_shared<const std::string>(std::move(*r));
  if (disk_) disk_->Put(key, *data);
  return data;
}

Result<BlockData> BlockFetcher::Block(const std::string& key, uint32_t blockLen) {
  if (auto d = mem_->Get(key)) {
    stats_.memHits++;
    return d;
  }
  std::shared_ptr<Flight> f;
  bool leader = false;
  {
    std::lock_guard lk(mu_);
    auto& slot = flights_[key];
    if (!slot) {
      slot = std::make_shared<Flight>();
      leader = true;
    }
    f = slot;
  }
  if (!leader) {
    std::unique_lock lk(f->mu);
    f->cv.wait(lk, [&] { return f->done; });
    return f->result;
  }
  // The block may have landed in the memory cache just before we registered.
  Result<BlockData> res = mem_->Get(key);
  if (!*res) res = Download(key, blockLen);
  if (res && *res) mem_->Put(key, *res);
  {
    std::lock_guard lk(mu_);
    flights_.erase(key);
  }
  {
    std::lock_guard lk(f->mu);
    f->result = res;
    f->done = true;
  }
  f->cv.notify_all();
  return res;
}

Status BlockFetcher::Read(const std::string& key, uint32_t blockLen, uint32_t off, uint32_t n,
                          char* dst, bool whole) {
  if (n == 0) return Status::OK();
  if (static_cast<uint64_t>(off) + n > blockLen) return Status::Invalid("read past block end");
  if (!whole && n < blockLen && !Cached(key)) {
    Result<std::string> r;
    {
      SemGuard g(sem_);
      stats_.rangeGets++;
      if (checkRangedSize_) {
        auto h = store_->head(key);
        if (!h) return h.error();
        if (h->size != blockLen) {
          return Status::IOError("object " + key + " has " + std::to_string(h->size) + " bytes, expected " +
                                 std::to_string(blockLen));
        }
      }
      r = store_->get(key, off, n);
    }
    if (!r) return r.error();
    if (r->size() != n) {
      return Status::IOError("short ranged read of " + key + ": got " + std::to_string(r->size()) +
                             " of " + std::to_string(n) + " bytes");
    }
    std::memcpy(dst, r->data(), n);
    return Status::OK();
  }
  auto b = Block(key, blockLen);
  if (!b) return b.error();
  std::memcpy(dst, (*b)->data() + off, n);
  return Status::OK();
}

}  // namespace slicefs
