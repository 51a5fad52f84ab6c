#include "meta/meta_impl.h"

namespace slicefs {

Result<uint64_t> MetaImpl::NewSliceId() {
  META_TRY(CheckWritable());
  std::lock_guard lk(idMu_);
  if (nextSlice_ >= endSlice_) {
    uint64_t start = 0;
    const uint64_t batch = opts_.sliceIdBatch;
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(auto v, tx.get(keys::Counter(keys::kNextChunk)));
      start = v ? static_cast<uint64_t>(DecodeCounter(*v)) : 1;
      if (start < 1) start = 1;
      tx.put(keys::Counter(keys::kNextChunk), EncodeCounter(static_cast<int64_t>(start + batch)));
      return Status::OK();
    }));
    nextSlice_ = start;
    endSlice_ = start + batch;
  }
  return nextSlice_++;
}

}  // namespace slicefs
