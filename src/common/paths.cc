#include "common/paths.h"

#include <unistd.h>

#include <cstdlib>

namespace slicefs {

std::string HomeDir() {
  const char* home = std::getenv("HOME");
  if (home && *home) return home;
  return geteuid() == 0 ? "/root" : "/tmp";
}

std::string DefaultFileBucket() { return HomeDir() + "/.slicefs/local"; }
std::string DefaultCacheDir() { return HomeDir() + "/.slicefs/cache"; }

std::string TempDirBase() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

}  // namespace slicefs
