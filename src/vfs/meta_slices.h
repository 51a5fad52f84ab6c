// Adapts the metadata client (Meta) to the narrow interface the data layer
// depends on (chunk/slice_meta.h). Borrows the Meta, which must outlive it.
// Thread-safe because Meta is.
#pragma once

#include "chunk/slice_meta.h"
#include "meta/meta.h"

namespace slicefs {

class MetaSlices final : public SliceMeta {
 public:
  explicit MetaSlices(Meta& meta) : meta_(meta) {}

  const VolumeFormat& format() const override { return meta_.format(); }
  Result<uint64_t> NewSliceId() override { return meta_.NewSliceId(); }
  Result<std::vector<SliceRecord>> ReadChunk(Ino ino, uint32_t index) override {
    return meta_.ReadChunk(ino, index);
  }
  Status WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t mtimeNs) override {
    return meta_.WriteSlice(ino, index, rec, mtimeNs);
  }
  Status CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                      const std::vector<SliceRecord>& replacement) override {
    return meta_.CompactChunk(ino, index, expected, replacement);
  }
  void SetSliceDeleter(SliceDeleter deleter) override { meta_.SetSliceDeleter(std::move(deleter)); }

 private:
  Meta& meta_;
};

}  // namespace slicefs
