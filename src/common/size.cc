#include "common/size.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace slicefs {

Result<uint64_t> ParseSize(std::string_view text, uint64_t unit, std::string_view what) {
  const std::string w(what);
  const std::string t(text);
  auto bad = [&] { return Err(EINVAL, "bad " + w + " '" + t + "' (expected e.g. 4096, 512K, 4M, 4MiB, 10G)"); };
  if (text.empty()) return Err(EINVAL, w + " is empty (expected e.g. 4096, 512K, 4M, 10G)");
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) i++;
  if (i == 0) return text[0] == '-' ? Err(EINVAL, w + " '" + t + "' is negative") : bad();
  double num = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, num);
  if (ec != std::errc() || p != text.data() + i) return bad();
  std::string suffix(text.substr(i));
  for (auto& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t mult = unit;
  if (!suffix.empty()) {
    if (suffix.size() > 1 && suffix.back() == 'B') suffix.pop_back();
    if (suffix.size() > 1 && suffix.back() == 'I') suffix.pop_back();
    if (suffix == "B") mult = 1;
    else if (suffix == "K") mult = kKiB;
    else if (suffix == "M") mult = kMiB;
    else if (suffix == "G") mult = kGiB;
    else if (suffix == "T") mult = 1ULL << 40;
    else if (suffix == "P") mult = 1ULL << 50;
    else return Err(EINVAL, "bad unit in " + w + " '" + t + "' (use K, M, G, T or P)");
  }
  long double bytes = static_cast<long double>(num) * static_cast<long double>(mult);
  if (!std::isfinite(static_cast<double>(bytes)) || bytes >= 18446744073709551615.0L)
    return Err(EINVAL, w + " '" + t + "' is too large");
  return static_cast<uint64_t>(bytes);
}

std::string FormatSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024 && u < 6) {
    v /= 1024;
    u++;
  }
  char buf[32];
  if (u == 0 || v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f %s", v, kUnits[u]);
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace slicefs
