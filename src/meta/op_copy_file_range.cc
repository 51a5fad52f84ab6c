// copy_file_range: copies slice records (not data) from one file range to
// another; every copied record takes a reference on its slice.
#include <map>

#include "meta/inode_flags.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<uint64_t> MetaImpl::CopyFileRange(const Ctx& ctx, Ino inoIn, uint64_t offIn, Ino inoOut, uint64_t offOut,
                                         uint64_t len) {
  META_TRY(CheckWritable());
  if (offIn > (1ULL << 62) || offOut > (1ULL << 62) || len > (1ULL << 62)) return Err(EFBIG, "range too large");
  if (inoIn == inoOut && offIn < offOut + len && offOut < offIn + len)
    return Err(EINVAL, "overlapping ranges in one file");
  const int64_t now = NowNs();
  uint64_t copied = 0;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    copied = 0;
    ASSIGN_OR_RETURN(Attr ain, MustAttr(tx, inoIn));
    Attr aoutStore;
    if (inoOut != inoIn) {
      ASSIGN_OR_RETURN(aoutStore, MustAttr(tx, inoOut));
    }
    Attr& aout = inoOut == inoIn ? ain : aoutStore;
    for (const Attr* a : {&ain, &aout}) {
      if (a->type == FileType::kDir) return Status::Error(EISDIR, "is a directory");
      if (a->type != FileType::kFile) return Status::Invalid("not a regular file");
    }
    if (aout.flags & kAttrImmutable) return Status::Error(EPERM, "destination is immutable");
    if (offIn >= ain.length || len == 0) return Status::OK();
    const uint64_t n = std::min(len, ain.length - offIn);
    std::map<uint32_t, std::string> appends;  // destination chunk -> records
    auto emit = [&](uint64_t srcOff, uint64_t id, uint32_t size, uint32_t soff, uint64_t l) -> Status {
      uint64_t d = offOut + (srcOff - offIn);
      while (l > 0) {
        uint32_t di = static_cast<uint32_t>(d / kChunkSize);
        uint32_t dpos = static_cast<uint32_t>(d % kChunkSize);
        uint32_t part = static_cast<uint32_t>(std::min<uint64_t>(l, kChunkSize - dpos));
        SliceRecord r{dpos, id, id ? size : part, id ? soff : 0, part};
        AppendSliceRecord(appends[di], r);
        if (id) META_TRY(AddSliceRef(tx, id, size, 1, fx));
        d += part;
        l -= part;
        if (id) soff += part;
      }
      return Status::OK();
    };
    uint64_t pos = offIn;
    const uint64_t end = offIn + n;
    while (pos < end) {
      uint32_t ci = static_cast<uint32_t>(pos / kChunkSize);
      uint64_t cstart = uint64_t(ci) * kChunkSize, cend = std::min(end, cstart + kChunkSize);
      ASSIGN_OR_RETURN(auto v, tx.get(keys::Chunk(inoIn, ci)));
      std::vector<SliceRecord> view;
      if (v) {
        ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(*v));
        view = BuildChunkView(recs);
      }
      uint64_t cur = pos;
      for (const auto& p : view) {
        uint64_t ps = cstart + p.pos, pe = ps + p.len;
        if (pe <= cur) continue;
        if (ps >= cend) break;
        if (ps > cur) {
          META_TRY(emit(cur, 0, 0, 0, ps - cur));
          cur = ps;
        }
        uint64_t e = std::min(pe, cend);
        META_TRY(emit(cur, p.id, p.size, p.off + static_cast<uint32_t>(cur - ps), e - cur));
        cur = e;
      }
      if (cur < cend) META_TRY(emit(cur, 0, 0, 0, cend - cur));
      pos = cend;
    }
    for (auto& [di, recs] : appends) {
      std::string key = keys::Chunk(inoOut, di);
      ASSIGN_OR_RETURN(auto v, tx.get(key));
      std::string val = v ? std::move(*v) : std::string();
      val.append(recs);
      tx.put(key, val);
    }
    Attr before = aout;
    if (offOut + n > aout.length) aout.length = offOut + n;
    META_TRY(ChargeResize(tx, inoOut, before, aout, fx, true));
    aout.mtimeNs = aout.ctimeNs = now;
    SaveAttr(tx, inoOut, aout);
    copied = n;
    return Status::OK();
  }));
  Apply(fx);
  return copied;
}

}  // namespace slicefs
