// Fixed-width integer encoding into byte strings.
//
// Little-endian (LE) is used for inode numbers inside metadata keys, as the
// key schema says; big-endian (BE) for everything that must sort numerically
// in keys (slice ids, session ids, times, lengths) and for value layouts.
// Decoders take a string_view and an offset and never read out of bounds:
// the caller checks the size first (see Reader for checked decoding).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace slicefs {

inline void PutLE64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; i++) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutBE64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; i--) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutBE32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; i--) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void PutBE16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
inline void PutU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

inline uint64_t GetLE64(std::string_view s, size_t off = 0) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}
inline uint64_t GetBE64(std::string_view s, size_t off = 0) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}
inline uint32_t GetBE32(std::string_view s, size_t off = 0) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}
inline uint16_t GetBE16(std::string_view s, size_t off = 0) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[off]) << 8) | static_cast<uint8_t>(s[off + 1]));
}

// Checked sequential decoder: every getter returns nullopt once the input is
// exhausted, so a truncated or corrupt value is detected instead of over-read.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  std::optional<uint8_t> U8() {
    if (!Has(1)) return std::nullopt;
    return static_cast<uint8_t>(s_[pos_++]);
  }
  std::optional<uint16_t> BE16() { return Take<uint16_t>(2, GetBE16); }
  std::optional<uint32_t> BE32() { return Take<uint32_t>(4, GetBE32); }
  std::optional<uint64_t> BE64() { return Take<uint64_t>(8, GetBE64); }
  std::optional<uint64_t> LE64() { return Take<uint64_t>(8, GetLE64); }
  std::optional<std::string_view> Bytes(size_t n) {
    if (!Has(n)) return std::nullopt;
    auto v = s_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  size_t remaining() const { return s_.size() - pos_; }
  std::string_view rest() const { return s_.substr(pos_); }

 private:
  bool Has(size_t n) const { return s_.size() - pos_ >= n; }
  template <class T, class F>
  std::optional<T> Take(size_t n, F f) {
    if (!Has(n)) return std::nullopt;
    T v = static_cast<T>(f(s_, pos_));
    pos_ += n;
    return v;
  }
  std::string_view s_;
  size_t pos_ = 0;
};

// The smallest string greater than every string with the given prefix, for
// use as the exclusive end of a prefix scan. Empty if no such string exists
// (prefix is all 0xff), which scan() treats as "no upper bound".
std::string PrefixEnd(std::string_view prefix);

// Hex dump of bytes, for messages and debugging.
std::string HexEncode(std::string_view bytes);

// Standard base64 (RFC 4648, with padding) and back; nullopt when `s` is
// not valid padded base64.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view s);

}  // namespace slicefs
