// Background removal of deleted files' data: D{ino}{length} records are
// turned into slice dereferences chunk by chunk; slices whose reference
// count reaches zero are handed to the SliceDeleter (set by the data layer).
// Without a deleter nothing is removed and the records wait.
#include <spdlog/spdlog.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

void MetaImpl::SetSliceDeleter(SliceDeleter deleter) {
  // Returns once calls of the previous deleter have finished, so its owner
  // may be destroyed.
  deleter_.Set(std::move(deleter));
  sweepPending_ = true;
  NotifyBackground();
}

Result<int> MetaImpl::ProcessDeletions() {
  if (!deleter_.Has()) return 0;
  META_TRY(CheckWritable());
  int done = 0;
  META_TRY(ScanPrefixOutside(*kv_, keys::DeletedAll(), 100, [&](std::vector<KeyValue>& dels) -> Status {
    for (const auto& d : dels) {
      auto dk = keys::ParseDeleted(d.key);
      if (!dk) continue;
      // Chunk keys are deleted as they are visited, one transaction each.
      RETURN_IF_ERROR(ScanPrefixOutside(*kv_, keys::ChunkPrefix(dk->ino), 64, [&](std::vector<KeyValue>& chunks) -> Status {
        for (const auto& c : chunks) {
          TxnEffects fx;
          RETURN_IF_ERROR(kv_->txn([&](KvTxn& tx) -> Status {
            fx.Reset();
            ASSIGN_OR_RETURN(auto v, tx.get(c.key));
            if (!v) return Status::OK();
            ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(*v));
            tx.del(c.key);
            for (const auto& r : recs) RETURN_IF_ERROR(AddSliceRef(tx, r.id, r.size, -1, fx));
            return Status::OK();
          }));
          Apply(fx);
        }
        return Status::OK();
      }));
      RETURN_IF_ERROR(kv_->txn([&](KvTxn& tx) -> Status {
        tx.del(d.key);
        return Status::OK();
      }));
      done++;
    }
    return Status::OK();
  }));
  return done;
}

// Slices whose count reached zero while no deleter was set.
Result<int> MetaImpl::SweepZeroRefs() {
  int freed = 0;
  META_TRY(ScanPrefixOutside(*kv_, keys::SliceRefAll(), 1000, [&](std::vector<KeyValue>& kvs) -> Status {
    for (const auto& kv : kvs) {
      if (DecodeCounter(kv.value) > 0) continue;
      auto k = keys::ParseSliceRef(kv.key);
      if (!k) continue;
      TxnEffects fx;
      RETURN_IF_ERROR(kv_->txn([&](KvTxn& tx) -> Status {
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
    return Status::OK();
  }));
  return freed;
}

}  // namespace slicefs
