#include "cli/mount_access.h"

#include <algorithm>
#include <fstream>

namespace slicefs::cli {

bool FuseConfAllowsOther(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    auto e = line.find_last_not_of(" \t\r");
    if (line.substr(b, e - b + 1) == "user_allow_other") return true;
  }
  return false;
}

std::string ApplyAllowOther(const MountAccessArgs& a, std::vector<std::string>* fuseOptions, bool asRoot,
                            const std::string& fuseConf) {
  auto& o = *fuseOptions;
  if (std::find(o.begin(), o.end(), "allow_other") != o.end()) return "";
  if (a.noAllowOther) return "";
  if (!asRoot && !FuseConfAllowsOther(fuseConf)) {
    return "this mount is private to its owner: other users need -o allow_other, which " + fuseConf +
           " does not allow (add a line `user_allow_other` there, or pass --no-allow-other to silence this)";
  }
  o.push_back("allow_other");
  return "";
}

Result<CallerMap> BuildCallerMap(const MountAccessArgs& a) {
  CallerMap m;
  if (!a.rootSquash.empty()) {
    ASSIGN_OR_RETURN(auto ids, ParseSquashIds(a.rootSquash, "--root-squash"));
    if (ids.uid == 0) return Err(EINVAL, "--root-squash 0:... would not squash root: give another uid (e.g. 65534:65534)");
    m.rootSquash = ids;
  }
  if (!a.allSquash.empty()) {
    ASSIGN_OR_RETURN(auto ids, ParseSquashIds(a.allSquash, "--all-squash"));
    m.allSquash = ids;
  }
  if (!a.umask.empty()) {
    ASSIGN_OR_RETURN(m.umask, ParseUmask(a.umask));
  }
  return m;
}

}  // namespace slicefs::cli
