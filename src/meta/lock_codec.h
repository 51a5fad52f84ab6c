// Values of the lock keys. F{ino} (BSD flock) holds one 17-byte record per
// holder: sid BE64 | owner BE64 | type u8 (F_RDLCK/F_WRLCK).
// P{ino} (POSIX record locks) holds 37-byte records:
//   sid BE64 | owner BE64 | type u8 | start BE64 | end BE64 | pid BE32
// (end inclusive; UINT64_MAX = to end of file). Empty lists delete the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs {

struct FlockRecord {
  uint64_t sid = 0;
  uint64_t owner = 0;
  uint8_t type = 0;
  bool operator==(const FlockRecord&) const = default;
};

struct PlockRecord {
  uint64_t sid = 0;
  uint64_t owner = 0;
  uint8_t type = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  uint32_t pid = 0;
  bool operator==(const PlockRecord&) const = default;
};

std::string EncodeFlocks(const std::vector<FlockRecord>& v);
Result<std::vector<FlockRecord>> DecodeFlocks(std::string_view s);
std::string EncodePlocks(const std::vector<PlockRecord>& v);
Result<std::vector<PlockRecord>> DecodePlocks(std::string_view s);

}  // namespace slicefs
