// The data model shared by the metadata and data layers (docs/formats.md):
// inode numbers, the fixed chunk size, and slice records. Plain values only.
#pragma once

#include <cstdint>
#include <functional>

namespace slicefs {

using Ino = uint64_t;

inline constexpr uint64_t kChunkSize = 64ULL << 20;  // 64 MiB

// One slice record of a chunk: bytes [off, off+len) of slice `id` (whose full
// length is `size`) placed at offset `pos` of the chunk. id 0 is a hole.
struct SliceRecord {
  uint32_t pos = 0;
  uint64_t id = 0;
  uint32_t size = 0;
  uint32_t off = 0;
  uint32_t len = 0;
  bool operator==(const SliceRecord&) const = default;
};

// Called when a slice's last reference disappears; deletes its objects.
// May be called from any thread; must not call back into the metadata layer.
using SliceDeleter = std::function<void(uint64_t sliceId, uint32_t size)>;

}  // namespace slicefs
