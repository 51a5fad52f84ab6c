#include "meta/slice_codec.h"

#include <map>

#include "common/encoding.h"

namespace slicefs {

void AppendSliceRecord(std::string& out, const SliceRecord& r) {
  PutBE32(out, r.pos);
  PutBE64(out, r.id);
  PutBE32(out, r.size);
  PutBE32(out, r.off);
  PutBE32(out, r.len);
}

std::string EncodeSliceRecords(const std::vector<SliceRecord>& recs) {
  std::string out;
  out.reserve(recs.size() * kSliceRecordSize);
  for (const auto& r : recs) AppendSliceRecord(out, r);
  return out;
}

Result<std::vector<SliceRecord>> DecodeSliceRecords(std::string_view v) {
  if (v.size() % kSliceRecordSize != 0) return Err(EIO, "corrupt chunk value: bad length");
  std::vector<SliceRecord> recs;
  recs.reserve(v.size() / kSliceRecordSize);
  for (size_t o = 0; o < v.size(); o += kSliceRecordSize) {
    SliceRecord r;
    r.pos = GetBE32(v, o);
    r.id = GetBE64(v, o + 4);
    r.size = GetBE32(v, o + 12);
    r.off = GetBE32(v, o + 16);
    r.len = GetBE32(v, o + 20);
    recs.push_back(r);
  }
  return recs;
}

std::vector<SliceRecord> BuildChunkView(const std::vector<SliceRecord>& recs) {
  // Map from start position to piece; pieces never overlap.
  std::map<uint64_t, SliceRecord> pieces;
  for (const auto& r : recs) {
    if (r.len == 0) continue;
    uint64_t s = r.pos, e = uint64_t(r.pos) + r.len;
    // Cut existing pieces overlapping [s, e).
    auto it = pieces.lower_bound(s);
    if (it != pieces.begin()) {
      auto prev = std::prev(it);
      uint64_t ps = prev->first, pe = ps + prev->second.len;
      if (pe > s) {
        SliceRecord left = prev->second;
        left.len = static_cast<uint32_t>(s - ps);
        if (pe > e) {  // the new record sits inside prev: keep a right part
          SliceRecord right = prev->second;
          right.pos = static_cast<uint32_t>(e);
          right.off = prev->second.off + static_cast<uint32_t>(e - ps);
          right.len = static_cast<uint32_t>(pe - e);
          pieces[e] = right;
        }
        prev->second = left;
      }
    }
    it = pieces.lower_bound(s);
    while (it != pieces.end() && it->first < e) {
      uint64_t ps = it->first, pe = ps + it->second.len;
      if (pe <= e) {
        it = pieces.erase(it);
      } else {
        SliceRecord right = it->second;
        right.pos = static_cast<uint32_t>(e);
        right.off = it->second.off + static_cast<uint32_t>(e - ps);
        right.len = static_cast<uint32_t>(pe - e);
        pieces.erase(it);
        pieces[e] = right;
        break;
      }
    }
    pieces[s] = r;
  }
  std::vector<SliceRecord> out;
  out.reserve(pieces.size());
  for (auto& [pos, p] : pieces) out.push_back(p);
  return out;
}

}  // namespace slicefs
