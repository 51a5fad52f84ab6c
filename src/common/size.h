// The one size grammar of every slicefs flag and setting.
//
//   "4096"        a plain number counts in the caller's unit (documented per
//                 flag: bytes, KiB, MiB or GiB)
//   "512K" "4M" "10G" "1T" "1P", "4MiB", "4MB", lower case too: powers of
//                 1024 (slicefs sizes are binary; MB means MiB, as in JuiceFS)
//   "1.5G"        a fraction is allowed; the result is rounded down to a byte
// Errors: EINVAL with a one-line message naming `what` and showing examples;
// negative, empty and overflowing values are refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slicefs {

inline constexpr uint64_t kKiB = 1ULL << 10;
inline constexpr uint64_t kMiB = 1ULL << 20;
inline constexpr uint64_t kGiB = 1ULL << 30;

Result<uint64_t> ParseSize(std::string_view text, uint64_t unit, std::string_view what = "size");

// 4194304 -> "4 MiB", 1536 -> "1.5 KiB", 100 -> "100 B".
std::string FormatSize(uint64_t bytes);

}  // namespace slicefs
