#include "chunk/chunk_view.h"

#include <algorithm>
#include <iterator>
#include <map>

namespace slicefs {

std::vector<ViewPiece> BuildView(std::span<const SliceRecord> records, uint64_t limit) {
  // pos -> piece; holes are stored too while replaying (they hide older data).
  std::map<uint32_t, ViewPiece> m;
  for (uint32_t i = 0; i < records.size(); i++) {
    const SliceRecord& r = records[i];
    if (r.len == 0) continue;
    uint64_t start = r.pos, end = static_cast<uint64_t>(r.pos) + r.len;
    // Cut the piece that starts before `start` and reaches into it.
    auto it = m.lower_bound(r.pos);
    if (it != m.begin()) {
      auto prev = std::prev(it);
      uint64_t pend = static_cast<uint64_t>(prev->second.pos) + prev->second.len;
      if (pend > start) {
        ViewPiece tail = prev->second;
        prev->second.len = static_cast<uint32_t>(start - prev->second.pos);
        if (pend > end) {  // the old piece spans the new one: keep its right part
          uint32_t skip = static_cast<uint32_t>(end - tail.pos);
          tail.pos = static_cast<uint32_t>(end);
          tail.off += skip;
          tail.len -= skip;
          m.emplace(tail.pos, tail);
        }
      }
    }
    // Remove or cut pieces starting inside [start, end).
    it = m.lower_bound(r.pos);
    while (it != m.end() && it->second.pos < end) {
      uint64_t pend = static_cast<uint64_t>(it->second.pos) + it->second.len;
      if (pend > end) {
        ViewPiece tail = it->second;
        uint32_t skip = static_cast<uint32_t>(end - tail.pos);
        tail.pos = static_cast<uint32_t>(end);
        tail.off += skip;
        tail.len -= skip;
        m.erase(it);
        m.emplace(tail.pos, tail);
        break;
      }
      it = m.erase(it);
    }
    m.emplace(r.pos, ViewPiece{r.pos, r.len, r.id, r.size, r.off, i});
  }
  std::vector<ViewPiece> out;
  for (auto& [pos, p] : m) {
    if (p.id == 0 || p.len == 0 || p.pos >= limit) continue;
    ViewPiece q = p;
    if (q.pos + static_cast<uint64_t>(q.len) > limit) q.len = static_cast<uint32_t>(limit - q.pos);
    out.push_back(q);
  }
  return out;
}

}  // namespace slicefs
