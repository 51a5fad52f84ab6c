// WriteSlice: appends one slice record to a chunk, extends the length, sets
// mtime and takes a reference on the slice, all in one transaction.
#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t mtimeNs) {
  META_TRY(CheckWritable());
  if (uint64_t(rec.pos) + rec.len > kChunkSize) return Status::Invalid("slice record crosses the chunk boundary");
  if (rec.id != 0 && uint64_t(rec.off) + rec.len > rec.size) return Status::Invalid("slice record beyond its slice");
  const uint64_t end = uint64_t(index) * kChunkSize + rec.pos + rec.len;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type != FileType::kFile) return Status::Error(EPERM, "not a regular file");
    if (a.flags & kAttrImmutable) return Status::Error(EPERM, "inode is immutable");
    // Append-only: only at EOF. A writer's slices commit in write order, so
    // appends through this client always start at the committed length.
    if ((a.flags & kAttrAppend) && end - rec.len < a.length)
      return Status::Error(EPERM, "append-only file: write below its end");
    std::string key = keys::Chunk(ino, index);
    ASSIGN_OR_RETURN(auto v, tx.get(key));
    std::string val = v ? std::move(*v) : std::string();
    AppendSliceRecord(val, rec);
    tx.put(key, val);
    if (end > a.length) {
      Attr grown = a;
      grown.length = end;
      // Quotas were checked by write(2) (CheckWriteQuota): the data is
      // accepted by now, so only the volume capacity can refuse it here.
      META_TRY(ChargeResize(tx, ino, a, grown, fx, false));
      a.length = end;
    }
    a.mtimeNs = a.ctimeNs = mtimeNs;
    SaveAttr(tx, ino, a);
    return AddSliceRef(tx, rec.id, rec.size, 1, fx);
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
