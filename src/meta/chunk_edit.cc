// Helpers that edit chunk record lists: cutting a file's chunks at a new
// length (truncate) and appending hole records (punch hole, zero range).
#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::CutChunksAfter(KvTxn& tx, Ino ino, uint64_t length, TxnEffects& fx) {
  const uint32_t first = static_cast<uint32_t>(length / kChunkSize);
  const uint32_t cut = static_cast<uint32_t>(length % kChunkSize);
  return ScanEach(tx, keys::Chunk(ino, first), PrefixEnd(keys::ChunkPrefix(ino)), 256,
                  [&](const KeyValue& kv) -> Status {
    auto idx = keys::ChunkIndex(kv.key);
    if (!idx) return Status::OK();
    ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(kv.value));
    std::vector<SliceRecord> kept;
    for (auto r : recs) {
      if (*idx == first && r.pos < cut) {
        if (r.pos + r.len > cut) r.len = cut - r.pos;
        kept.push_back(r);
      } else {
        RETURN_IF_ERROR(AddSliceRef(tx, r.id, r.size, -1, fx));
      }
    }
    if (kept.empty()) {
      tx.del(kv.key);
    } else if (kept != recs) {
      tx.put(kv.key, EncodeSliceRecords(kept));
    }
    return Status::OK();
  });
}

Status MetaImpl::AppendHoles(KvTxn& tx, Ino ino, uint64_t off, uint64_t len) {
  while (len > 0) {
    uint32_t idx = static_cast<uint32_t>(off / kChunkSize);
    uint32_t pos = static_cast<uint32_t>(off % kChunkSize);
    uint32_t l = static_cast<uint32_t>(std::min<uint64_t>(len, kChunkSize - pos));
    std::string key = keys::Chunk(ino, idx);
    ASSIGN_OR_RETURN(auto v, tx.get(key));
    std::string val = v ? std::move(*v) : std::string();
    AppendSliceRecord(val, SliceRecord{pos, 0, l, 0, l});
    tx.put(key, val);
    off += l;
    len -= l;
  }
  return Status::OK();
}

}  // namespace slicefs
