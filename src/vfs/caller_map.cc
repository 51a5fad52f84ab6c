#include "vfs/caller_map.h"

#include <charconv>

namespace slicefs {

Ctx CallerMap::Apply(Ctx ctx) const {
  const SquashIds* to = nullptr;
  if (allSquash) to = &*allSquash;
  else if (rootSquash && ctx.uid == 0) to = &*rootSquash;
  if (to == nullptr) return ctx;
  ctx.uid = to->uid;
  ctx.gid = to->gid;
  ctx.gids.clear();
  return ctx;
}

namespace {
bool ParseU32(std::string_view s, int base, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Result<SquashIds> ParseSquashIds(std::string_view text, std::string_view flag) {
  auto colon = text.find(':');
  SquashIds ids;
  if (colon == std::string_view::npos || !ParseU32(text.substr(0, colon), 10, &ids.uid) ||
      !ParseU32(text.substr(colon + 1), 10, &ids.gid)) {
    return Err(EINVAL, std::string(flag) + " '" + std::string(text) + "' is not UID:GID (two numbers, e.g. 65534:65534)");
  }
  return ids;
}

Result<uint32_t> ParseUmask(std::string_view text) {
  uint32_t v = 0;
  if (!ParseU32(text, 8, &v) || v > 0777) {
    return Err(EINVAL, "--umask '" + std::string(text) + "' is not an octal mask between 000 and 777 (e.g. 022)");
  }
  return v;
}

}  // namespace slicefs
