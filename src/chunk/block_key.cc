#include "chunk/block_key.h"

#include <charconv>
#include <cstdio>

namespace slicefs {

std::string ChunksPrefix(std::string_view volume) {
  return std::string(volume) + "/chunks/";
}

std::string BlockObjectKey(std::string_view volume, bool hashPrefix, uint64_t id, uint32_t block,
                           uint32_t blockLen) {
  char buf[128];
  unsigned long long i = id;
  if (hashPrefix) {
    std::snprintf(buf, sizeof(buf), "%02X/%llu/%llu_%u_%u", static_cast<unsigned>(id % 256),
                  i / 1000000, i, block, blockLen);
  } else {
    std::snprintf(buf, sizeof(buf), "%llu/%llu/%llu_%u_%u", i / 1000000, i / 1000, i, block, blockLen);
  }
  return ChunksPrefix(volume) + buf;
}

namespace {
template <class T>
bool ParseNum(std::string_view s, T* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

std::optional<ParsedBlockKey> ParseBlockObjectKey(std::string_view volume, bool hashPrefix,
                                                  std::string_view key) {
  std::string prefix = ChunksPrefix(volume);
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view name = key.substr(slash + 1);
  size_t u1 = name.find('_');
  size_t u2 = name.find('_', u1 == std::string_view::npos ? 0 : u1 + 1);
  if (u1 == std::string_view::npos || u2 == std::string_view::npos) return std::nullopt;
  ParsedBlockKey p;
  if (!ParseNum(name.substr(0, u1), &p.id) || !ParseNum(name.substr(u1 + 1, u2 - u1 - 1), &p.block) ||
      !ParseNum(name.substr(u2 + 1), &p.blockLen)) {
    return std::nullopt;
  }
  if (BlockObjectKey(volume, hashPrefix, p.id, p.block, p.blockLen) != prefix + std::string(key)) {
    return std::nullopt;
  }
  return p;
}

}  // namespace slicefs
