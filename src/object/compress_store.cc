#include "object/compress_store.h"

#include <lz4.h>
#include <zstd.h>

#include <limits>

namespace slicefs {

Result<std::string> CompressStore::Compress(Algo algo, std::span<const char> data) {
  if (data.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Err(EFBIG, "object too large to compress");
  }
  std::string out(5, '\0');
  out[0] = static_cast<char>(algo);
  uint32_t n = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; i++) out[1 + i] = static_cast<char>((n >> (8 * i)) & 0xff);
  if (algo == Algo::kLz4) {
    int bound = LZ4_compressBound(static_cast<int>(data.size()));
    out.resize(5 + static_cast<size_t>(bound));
    int c = LZ4_compress_default(data.data(), out.data() + 5, static_cast<int>(data.size()), bound);
    if (c <= 0 && !data.empty()) return Err(EIO, "lz4 compression failed");
    out.resize(5 + static_cast<size_t>(c));
  } else {
    size_t bound = ZSTD_compressBound(data.size());
    out.resize(5 + bound);
    size_t c = ZSTD_compress(out.data() + 5, bound, data.data(), data.size(), 1);
    if (ZSTD_isError(c)) return Err(EIO, std::string("zstd compression failed: ") + ZSTD_getErrorName(c));
    out.resize(5 + c);
  }
  return out;
}

Result<std::string> CompressStore::Decompress(std::string_view stored) {
  if (stored.size() < 5) return Err(EIO, "compressed object too short");
  uint32_t n = 0;
  for (int i = 0; i < 4; i++) n |= static_cast<uint32_t>(static_cast<uint8_t>(stored[1 + i])) << (8 * i);
  std::string out(n, '\0');
  std::string_view payload = stored.substr(5);
  if (stored[0] == static_cast<char>(Algo::kLz4)) {
    int d = LZ4_decompress_safe(payload.data(), out.data(), static_cast<int>(payload.size()),
                                static_cast<int>(n));
    if (d < 0 || static_cast<uint32_t>(d) != n) return Err(EIO, "corrupt lz4 object");
  } else if (stored[0] == static_cast<char>(Algo::kZstd)) {
    size_t d = ZSTD_decompress(out.data(), n, payload.data(), payload.size());
    if (ZSTD_isError(d) || d != n) return Err(EIO, "corrupt zstd object");
  } else {
    return Err(EIO, "unknown compression algorithm in object");
  }
  return out;
}

Status CompressStore::put(const std::string& key, std::span<const char> data) {
  ASSIGN_OR_RETURN(std::string c, Compress(algo_, data));
  return inner().put(key, c);
}

Result<std::string> CompressStore::get(const std::string& key, uint64_t off, int64_t len) {
  ASSIGN_OR_RETURN(std::string stored, inner().get(key));
  auto d = Decompress(stored);
  if (!d) return Err(d.error().WithContext(key));
  std::string& all = *d;
  if (off >= all.size()) return std::string();
  uint64_t n = all.size() - off;
  if (len >= 0 && static_cast<uint64_t>(len) < n) n = static_cast<uint64_t>(len);
  if (off == 0 && n == all.size()) return std::move(all);
  return all.substr(off, n);
}

}  // namespace slicefs
