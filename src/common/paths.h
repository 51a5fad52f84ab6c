// Default locations under the user's home directory ($HOME, else /root for
// root and /tmp for others): ~/.slicefs/local (the `file` bucket of a volume
// formatted without --bucket) and ~/.slicefs/cache (the mount's disk cache).
#pragma once

#include <string>

namespace slicefs {

std::string HomeDir();
std::string DefaultFileBucket();  // ~/.slicefs/local
std::string DefaultCacheDir();    // ~/.slicefs/cache
// Where temporary files go: $TMPDIR if set, else /tmp.
std::string TempDirBase();

}  // namespace slicefs
