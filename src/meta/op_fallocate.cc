// fallocate(2): plain/keep-size reservation, punch hole and zero range.
// Holes are recorded as slice records with id 0, appended to the chunks.
#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::Fallocate(const Ctx& ctx, Ino ino, int mode, uint64_t off, uint64_t len) {
  META_TRY(CheckWritable());
  if (mode & ~(kFallocKeepSize | kFallocPunchHole | kFallocZeroRange))
    return Status::Error(EOPNOTSUPP, "unsupported fallocate mode");
  if ((mode & kFallocPunchHole) && !(mode & kFallocKeepSize))
    return Status::Error(EOPNOTSUPP, "punch hole needs keep-size");
  if ((mode & kFallocPunchHole) && (mode & kFallocZeroRange))
    return Status::Invalid("punch hole together with zero range");
  if (len == 0) return Status::Invalid("zero length");
  if (off > (1ULL << 62) || len > (1ULL << 62) - off) return Status::Error(EFBIG, "range too large");
  const uint64_t end = off + len;
  const int64_t now = NowNs();
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type == FileType::kDir) return Status::Error(EISDIR, "is a directory");
    if (a.type != FileType::kFile) return Status::Error(ENODEV, "not a regular file");
    if (a.flags & kAttrImmutable) return Status::Error(EPERM, "inode is immutable");
    if ((mode & ~kFallocKeepSize) && (a.flags & kAttrAppend))
      return Status::Error(EPERM, "append-only file: only plain fallocate");
    Attr n = a;
    if (mode & kFallocPunchHole) {
      uint64_t e = std::min(end, a.length);
      if (off < e) META_TRY(AppendHoles(tx, ino, off, e - off));
    } else {
      if (!(mode & kFallocKeepSize) && end > a.length) n.length = end;
      if (mode & kFallocZeroRange) {
        uint64_t e = std::min(end, n.length);
        if (off < e) META_TRY(AppendHoles(tx, ino, off, e - off));
      }
    }
    META_TRY(ChargeResize(tx, ino, a, n, fx, true));
    if (n.length != a.length || (mode & (kFallocPunchHole | kFallocZeroRange))) n.mtimeNs = n.ctimeNs = now;
    if (n != a) SaveAttr(tx, ino, n);
    return Status::OK();
  }));
  Apply(fx);
  return Status::OK();
}

}  // namespace slicefs
