#include "cli/quota_paths.h"

#include <vector>

namespace slicefs::cli {

Result<Ino> ResolveVolumePath(Meta& meta, std::string_view path) {
  if (path.empty() || path.front() != '/')
    return Err(EINVAL, "--path '" + std::string(path) + "' must start with / (a path inside the volume)");
  Ino cur = kRootIno;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    auto e = meta.Lookup(Ctx::Root(), cur, part);
    if (!e) return Err(e.error().code(), "'" + std::string(path) + "': " + e.error().message());
    cur = e->ino;
  }
  return cur;
}

std::string VolumePathOf(Meta& meta, Ino ino) {
  std::vector<std::string> parts;
  Ino cur = ino;
  for (int depth = 0; cur != kRootIno && depth < 10000; depth++) {
    auto a = meta.GetAttr(Ctx::Root(), cur);
    if (!a || a->parent == 0) return "inode " + std::to_string(ino);
    const Ino parent = a->parent;
    std::string found, after;
    for (bool done = false; !done;) {
      auto list = meta.Readdir(Ctx::Root(), parent, after, 1000, false);
      if (!list) return "inode " + std::to_string(ino);
      for (auto& e : *list) {
        if (e.ino == cur) {
          found = e.name;
          done = true;
          break;
        }
      }
      if (list->size() < 1000) done = true;
      if (!list->empty()) after = list->back().name;
    }
    if (found.empty()) return "inode " + std::to_string(ino);
    parts.push_back(found);
    cur = parent;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out.empty() ? "/" : out;
}

}  // namespace slicefs::cli
