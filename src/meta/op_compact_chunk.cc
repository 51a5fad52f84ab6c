// CompactChunk: compare-and-swap of a chunk's record list (compaction).
#include <map>

#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                              const std::vector<SliceRecord>& replacement) {
  META_TRY(CheckWritable());
  for (const auto& r : replacement) {
    if (uint64_t(r.pos) + r.len > kChunkSize) return Status::Invalid("replacement record crosses the chunk");
  }
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(auto a, LoadAttr(tx, ino));
    if (!a) return Status::Error(ENOENT, "inode is gone");
    std::string key = keys::Chunk(ino, index);
    ASSIGN_OR_RETURN(auto v, tx.get(key));
    std::vector<SliceRecord> cur;
    if (v) {
      ASSIGN_OR_RETURN(cur, DecodeSliceRecords(*v));
    }
    if (cur != expected) return Status::Error(ECANCELED, "chunk changed during compaction");
    if (replacement.empty()) {
      tx.del(key);
    } else {
      tx.put(key, EncodeSliceRecords(replacement));
    }
    std::map<std::pair<uint64_t, uint32_t>, int64_t> delta;
    for (const auto& r : expected) if (r.id) delta[{r.id, r.size}]--;
    for (const auto& r : replacement) if (r.id) delta[{r.id, r.size}]++;
    for (auto& [k, d] : delta) META_TRY(AddSliceRef(tx, k.first, k.second, d, fx));
    return Status::OK();
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
