// Helpers shared by the mount-related commands (mount, umount, info).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "fuse/mountinfo.h"
#include "vfs/virtual_xattrs.h"

namespace slicefs::cli {

// Checks that `path` can be mounted on: exists, is a directory, is not a
// mount point already and not a dead FUSE mount. Returns the absolute path.
Result<std::string> CheckMountpoint(const std::string& path);


// The root directory of the slicefs mount containing `path`, and the value
// of one of the root's virtual xattrs (see vfs.h).
Result<std::string> FindMountRoot(const std::string& path);
Result<std::string> MountXattr(const std::string& mountRoot, const std::string& name);

// Runs argv (argv[0] looked up in PATH), waits; returns its exit code
// (128+signal if killed), or an error if it cannot be started.
// outFile: its stdout and stderr go there (stdin from /dev/null).
// timeoutSec > 0: killed after that long (ETIMEDOUT).
Result<int> RunProgram(const std::vector<std::string>& argv, const std::string& outFile = "", int timeoutSec = 0);

}  // namespace slicefs::cli
