// Background removal of deleted files' data: D{ino}{length} records are
// turned into slice dereferences chunk by chunk; slices whose reference
// count reaches zero are handed to the SliceDeleter (set by the data layer).
// Without a deleter nothing is removed and the records wait.
#include <spdlog/spdlog.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

void MetaImpl::SetSliceDeleter(SliceDeleter deleter) {
  {
    std::lock_guard lk(deleterMu_);
    deleter_ = std::move(deleter);
  }
  // Wait for calls of the previous deleter still running, so its owner may
  // be destroyed once this returns.
  { std::lock_guard call(deleterCallMu_); }
  sweepPending_ = true;
  NotifyBackground();
}

Result<int> MetaImpl::ProcessDeletions() {
  {
    std::lock_guard lk(deleterMu_);
    if (!deleter_) return 0;
  }
  META_TRY(CheckWritable());
  int done = 0;
  std::string begin = "D";
  const std::string end = PrefixEnd("D");
  for (;;) {
    std::vector<KeyValue> dels;
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(dels, tx.scan(begin, end, 100));
      return Status::OK();
    }));
    for (const auto& d : dels) {
      auto dk = keys::ParseDeleted(d.key);
      if (!dk) continue;
      const std::string prefix = keys::ChunkPrefix(dk->ino);
      for (;;) {
        std::vector<KeyValue> chunks;
        META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
          ASSIGN_OR_RETURN(chunks, tx.scan(prefix, PrefixEnd(prefix), 64));
          return Status::OK();
        }));
        if (chunks.empty()) break;
        for (const auto& c : chunks) {
          TxnEffects fx;
          META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
            fx.Reset();
            ASSIGN_OR_RETURN(auto v, tx.get(c.key));
            if (!v) return Status::OK();
            ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(*v));
            tx.del(c.key);
            for (const auto& r : recs) META_TRY(AddSliceRef(tx, r.id, r.size, -1, fx));
            return Status::OK();
          }));
          Apply(fx);
        }
      }
      META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
        tx.del(d.key);
        return Status::OK();
      }));
      done++;
    }
    if (dels.size() < 100) break;
    begin = dels.back().key + '\0';
  }
  return done;
}

// Slices whose count reached zero while no deleter was set.
Result<int> MetaImpl::SweepZeroRefs() {
  int freed = 0;
  std::string begin = "K";
  const std::string end = PrefixEnd("K");
  for (;;) {
    std::vector<KeyValue> kvs;
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(kvs, tx.scan(begin, end, 1000));
      return Status::OK();
    }));
    for (const auto& kv : kvs) {
      if (DecodeCounter(kv.value) > 0) continue;
      auto k = keys::ParseSliceRef(kv.key);
      if (!k) continue;
      TxnEffects fx;
      META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
        fx.Reset();
        ASSIGN_OR_RETURN(auto v, tx.get(kv.key));
        if (!v || DecodeCounter(*v) > 0) return Status::OK();
        tx.del(kv.key);
        fx.freedSlices.emplace_back(k->id, k->size);
        return Status::OK();
      }));
      freed += static_cast<int>(fx.freedSlices.size());
      Apply(fx);
    }
    if (kvs.size() < 1000) break;
    begin = kvs.back().key + '\0';
  }
  return freed;
}

}  // namespace slicefs
