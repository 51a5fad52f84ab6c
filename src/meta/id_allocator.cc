#include "meta/id_allocator.h"

#include "meta/attr_codec.h"

namespace slicefs {

uint64_t IdAllocator::Remaining() const {
  uint64_t n = 0;
  for (const auto& r : ranges_) n += r.second - r.first;
  return n;
}

Result<std::pair<uint64_t, uint64_t>> IdAllocator::Reserve() {
  uint64_t start = 0;
  RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto v, tx.get(key_));
    start = v ? static_cast<uint64_t>(DecodeCounter(*v)) : first_;
    if (start < first_) start = first_;
    tx.put(key_, EncodeCounter(static_cast<int64_t>(start + batch_)));
    return Status::OK();
  }));
  return std::make_pair(start, start + batch_);
}

Result<uint64_t> IdAllocator::Next() {
  std::unique_lock lk(mu_);
  for (;;) {
    while (!ranges_.empty() && ranges_.front().first >= ranges_.front().second) ranges_.pop_front();
    const bool low = Remaining() <= batch_ / 4;
    if (!ranges_.empty() && !(low && !reserving_)) return ranges_.front().first++;
    if (reserving_) {
      // Someone is reserving and nothing is left: wait for it.
      cv_.wait(lk, [&] { return !reserving_ || Remaining() > 0; });
      continue;
    }
    // Take an id (if any is left) and reserve the next batch outside the lock.
    std::optional<uint64_t> mine;
    if (!ranges_.empty()) mine = ranges_.front().first++;
    reserving_ = true;
    lk.unlock();
    auto r = Reserve();
    lk.lock();
    reserving_ = false;
    if (r) ranges_.push_back(*r);
    cv_.notify_all();
    if (mine) return *mine;
    if (!r) return Err(r.error());
  }
}

}  // namespace slicefs
