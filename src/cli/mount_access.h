// Who may use a mount (issue #14, "safe defaults for a shared mount"):
// allow_other by default and the squash/umask flags of `slicefs mount`.
//
// - A mount made by root gets -o allow_other unless --no-allow-other is
//   given: every user of the host may use it, and the kernel checks
//   permissions (default_permissions) as on a local file system.
// - A mount made by another user gets allow_other only when /etc/fuse.conf
//   has `user_allow_other` (else fusermount3 refuses the mount); without it
//   the mount goes ahead, private to its owner, with one warning.
// - --root-squash/--all-squash/--umask build the CallerMap (vfs/caller_map.h).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "vfs/caller_map.h"

namespace slicefs::cli {

struct MountAccessArgs {
  bool noAllowOther = false;
  std::string rootSquash;  // "UID:GID" or empty
  std::string allSquash;   // "UID:GID" or empty
  std::string umask;       // octal or empty
};

// True when `path` (fuse.conf syntax) has an uncommented user_allow_other line.
bool FuseConfAllowsOther(const std::string& path = "/etc/fuse.conf");

// Adds allow_other to `fuseOptions` as described above, unless it is there
// already. Returns a warning to log and print ("" when none).
std::string ApplyAllowOther(const MountAccessArgs& a, std::vector<std::string>* fuseOptions, bool asRoot,
                            const std::string& fuseConf = "/etc/fuse.conf");

// The CallerMap of the flags; EINVAL with a one-line reason for bad values.
Result<CallerMap> BuildCallerMap(const MountAccessArgs& a);

}  // namespace slicefs::cli
