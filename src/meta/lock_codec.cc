#include "meta/lock_codec.h"

#include "common/encoding.h"

namespace slicefs {

std::string EncodeFlocks(const std::vector<FlockRecord>& v) {
  std::string s;
  for (const auto& r : v) {
    PutBE64(s, r.sid);
    PutBE64(s, r.owner);
    PutU8(s, r.type);
  }
  return s;
}

Result<std::vector<FlockRecord>> DecodeFlocks(std::string_view s) {
  if (s.size() % 17 != 0) return Err(EIO, "corrupt flock value");
  std::vector<FlockRecord> v;
  for (size_t o = 0; o < s.size(); o += 17)
    v.push_back({GetBE64(s, o), GetBE64(s, o + 8), static_cast<uint8_t>(s[o + 16])});
  return v;
}

std::string EncodePlocks(const std::vector<PlockRecord>& v) {
  std::string s;
  for (const auto& r : v) {
    PutBE64(s, r.sid);
    PutBE64(s, r.owner);
    PutU8(s, r.type);
    PutBE64(s, r.start);
    PutBE64(s, r.end);
    PutBE32(s, r.pid);
  }
  return s;
}

Result<std::vector<PlockRecord>> DecodePlocks(std::string_view s) {
  if (s.size() % 37 != 0) return Err(EIO, "corrupt posix lock value");
  std::vector<PlockRecord> v;
  for (size_t o = 0; o < s.size(); o += 37) {
    PlockRecord r;
    r.sid = GetBE64(s, o);
    r.owner = GetBE64(s, o + 8);
    r.type = static_cast<uint8_t>(s[o + 16]);
    r.start = GetBE64(s, o + 17);
    r.end = GetBE64(s, o + 25);
    r.pid = GetBE32(s, o + 33);
    v.push_back(r);
  }
  return v;
}

}  // namespace slicefs
