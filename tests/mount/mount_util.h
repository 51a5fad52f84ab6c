// Helpers for the mount lifecycle suite.
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <map>
#include <string>

#include "support/mount.h"

namespace slicefs::testing {

#define REQUIRE_FUSE()                        \
  do {                                        \
    std::string _why;                         \
    if (!FuseAvailable(&_why)) SKIP_OR_FAIL(_why); \
  } while (0)

// path -> "type size sha256" for every entry under root (relative paths).
inline void TreeDigest(const std::string& root, const std::string& rel,
                       std::map<std::string, std::string>* out) {
  for (auto& n : DirNames(rel.empty() ? root : root + "/" + rel)) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (lstat((root + "/" + r).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      (*out)[r] = "dir " + std::to_string(st.st_mode & 07777);
      TreeDigest(root, r, out);
    } else if (S_ISREG(st.st_mode)) {
      (*out)[r] = "file " + std::to_string(st.st_size) + " " + FileDigest(root + "/" + r);
    } else {
      (*out)[r] = "other " + std::to_string(st.st_mode);
    }
  }
}

}  // namespace slicefs::testing
