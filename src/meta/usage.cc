// Hot counters: usedSpace and totalInodes are changed in memory by every
// operation and written to the engine here, periodically (MetaOptions::
// usageFlushMs) and at session close, so they never sit in every transaction.
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::FlushUsage() {
  std::lock_guard lk(flushMu_);
  int64_t ds = spaceDelta_.load(), di = inodeDelta_.load();
  int64_t space = 0, inodes = 0;
  auto readBoth = [&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto s, tx.get(keys::Counter(keys::kUsedSpace)));
    ASSIGN_OR_RETURN(auto i, tx.get(keys::Counter(keys::kTotalInodes)));
    space = s ? DecodeCounter(*s) : 0;
    inodes = i ? DecodeCounter(*i) : 0;
    return Status::OK();
  };
  if (ds == 0 && di == 0) {  // read-only clients too: they may destroy open-unlinked files
    META_TRY(kv_->readOnly(readBoth));
  } else {
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      META_TRY(readBoth(tx));
      space += ds;
      inodes += di;
      tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(space));
      tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(inodes));
      return Status::OK();
    }));
    spaceDelta_ -= ds;
    inodeDelta_ -= di;
  }
  usedSpaceBase_ = space;
  totalInodesBase_ = inodes;
  return Status::OK();
}

}  // namespace slicefs
