// The view of one chunk: its slice records replayed in order into
// non-overlapping pieces (later records win where they overlap; id 0 is a
// hole and reads as zeros; `limit` - the file length within this chunk -
// cuts the view). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/data_model.h"

namespace slicefs {

struct ViewPiece {
  uint32_t pos = 0;     // offset in the chunk
  uint32_t len = 0;
  uint64_t id = 0;      // never 0: holes are left out of the view
  uint32_t size = 0;    // full length of slice `id`
  uint32_t off = 0;     // offset in slice `id` of the piece's first byte
  uint32_t rec = 0;     // index of the record the piece comes from
  bool operator==(const ViewPiece&) const = default;
};

// Pieces sorted by pos, non-overlapping, each inside [0, limit). Bytes of
// [0, limit) covered by no piece are zeros.
std::vector<ViewPiece> BuildView(std::span<const SliceRecord> records, uint64_t limit);

}  // namespace slicefs
