// What the kernel says is mounted: /proc/self/mountinfo.
#pragma once

#include <string>

namespace slicefs {

// True if `absPath` (absolute, no trailing '/') is a mount point now. Octal
// escapes of mountinfo (\040 for a space, ...) are undone before comparing.
bool IsMountPoint(const std::string& absPath);

}  // namespace slicefs
