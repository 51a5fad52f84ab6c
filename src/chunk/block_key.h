// Object keys of blocks (docs/formats.md, "Object layout").
//   plain:       {volume}/chunks/{id/1000000}/{id/1000}/{id}_{block}_{blockLen}
//   hash prefix: {volume}/chunks/{id%256 as %02X}/{id/1000000}/{id}_{block}_{blockLen}
// `blockLen` is the length of that block (the last block of a slice is shorter).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slicefs {

std::string BlockObjectKey(std::string_view volume, bool hashPrefix, uint64_t id, uint32_t block,
                           uint32_t blockLen);

// "{volume}/chunks/": every block key starts with it.
std::string ChunksPrefix(std::string_view volume);

struct ParsedBlockKey {
  uint64_t id = 0;
  uint32_t block = 0;
  uint32_t blockLen = 0;
};
// Parses a key made by BlockObjectKey (either form) and checks that its
// directory part is the one the id implies; nullopt otherwise.
std::optional<ParsedBlockKey> ParseBlockObjectKey(std::string_view volume, bool hashPrefix,
                                                  std::string_view key);

// Number of blocks of a slice of `size` bytes and the length of block `i`.
inline uint32_t BlockCount(uint32_t size, uint32_t blockSize) {
  return static_cast<uint32_t>((static_cast<uint64_t>(size) + blockSize - 1) / blockSize);
}
inline uint32_t BlockLength(uint32_t size, uint32_t blockSize, uint32_t i) {
  uint64_t start = static_cast<uint64_t>(i) * blockSize;
  uint64_t rest = size > start ? size - start : 0;
  return static_cast<uint32_t>(rest < blockSize ? rest : blockSize);
}

}  // namespace slicefs
