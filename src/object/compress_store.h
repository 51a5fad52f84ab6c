// Wraps an ObjectStore and compresses every object with lz4 or zstd
// (VolumeFormat::compression). Stored framing (docs/formats.md):
//   byte 0      algorithm: 1 = lz4 (block format), 2 = zstd (one frame)
//   bytes 1..4  uncompressed length, little-endian uint32
//   bytes 5..   compressed payload
// A ranged get fetches the whole object and returns the requested range of
// the decompressed bytes. head() reports the stored (compressed) size.
// A malformed object gives EIO. Thread-safe.
#pragma once

#include <memory>

#include "object/object_store.h"
#include "object/store_wrapper.h"

namespace slicefs {

class CompressStore : public ObjectStoreWrapper {
 public:
  enum class Algo : uint8_t { kLz4 = 1, kZstd = 2 };
  CompressStore(std::unique_ptr<ObjectStore> inner, Algo algo)
      : ObjectStoreWrapper(std::move(inner)), algo_(algo) {}

  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;

  static Result<std::string> Compress(Algo algo, std::span<const char> data);
  static Result<std::string> Decompress(std::string_view stored);

 private:
  Algo algo_;
};

}  // namespace slicefs
