// CompactChunk: compare-and-swap of a chunk's record list (compaction).
#include <algorithm>
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
    // Records appended since `expected` was read (later writes) stay after
    // the replacement: they win over it just as they won over `expected`.
    // Any other change (truncate trims records in place) cancels.
    if (cur.size() < expected.size() || !std::equal(expected.begin(), expected.end(), cur.begin())) {
      return Status::Error(ECANCELED, "chunk changed during compaction");
    }
    std::vector<SliceRecord> next = replacement;
    next.insert(next.end(), cur.begin() + static_cast<std::ptrdiff_t>(expected.size()), cur.end());
    if (next.empty()) {
      tx.del(key);
    } else {
      tx.put(key, EncodeSliceRecords(next));
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
