// The metadata calls the data layer depends on, and nothing more: slice ids,
// a chunk's slice records, committing a slice, the compaction swap and the
// deleter hook. The data layer never sees the namespace (names, attributes,
// permissions, sessions); src/vfs adapts the full metadata client to this
// interface (vfs/meta_slices.h), and unit tests of src/chunk implement it
// over in-memory maps (tests/support/fake_meta.h).
//
// Threading: implementations are thread-safe; the data layer calls them from
// writer, committer, reader and compaction threads at once.
// Errors: errno-style Status (ENOENT when the inode is gone, ECANCELED when a
// compaction swap finds the chunk changed, EIO/EAGAIN from the engine).
#pragma once

#include <cstdint>
#include <vector>

#include "common/data_model.h"
#include "common/status.h"
#include "common/volume_format.h"

namespace slicefs {

class SliceMeta {
 public:
  virtual ~SliceMeta() = default;

  // The volume's format (block size, name, key prefix); fixed while open.
  virtual const VolumeFormat& format() const = 0;
  // A new globally unique slice id.
  virtual Result<uint64_t> NewSliceId() = 0;
  // The slice records of chunk `index` of `ino`, in write order.
  virtual Result<std::vector<SliceRecord>> ReadChunk(Ino ino, uint32_t index) = 0;
  // Appends `rec` to the chunk, extends the length, sets mtime/ctime, takes a
  // reference on the slice; one transaction.
  virtual Status WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t mtimeNs) = 0;
  // Replaces the leading records `expected` with `replacement` (ECANCELED if
  // the chunk no longer begins with `expected`).
  virtual Status CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                              const std::vector<SliceRecord>& replacement) = 0;
  // Registers the function that deletes a slice's objects once its last
  // reference is gone (an empty function unregisters).
  virtual void SetSliceDeleter(SliceDeleter deleter) = 0;
};

}  // namespace slicefs
