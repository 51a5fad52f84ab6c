// The CLI's end of the control channel (see control_server.h): finds the
// mount that holds a path and runs one command there, as this process'
// credentials, drawing progress records with cli::Progress.
//
// Errors: ENOENT/EINVAL naming the path when it is not inside a slicefs mount
// (or the mount is too old to have a channel); the command's own errno and
// message otherwise.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "common/status.h"

namespace slicefs::cli {

struct MountControl {
  std::string root;    // the mount's root directory
  std::string socket;  // its control socket
};

// The absolute form of a path as the mount will see it: the parent directory
// canonical (symlinks resolved), the last component kept as given.
Result<std::string> ClientPath(const std::string& path);
// The mount containing (absolute) path `abs`, from the root's
// user.slicefs.control attribute (readable by everyone).
Result<MountControl> FindControl(const std::string& abs);

using ProgressFn = std::function<void(const nlohmann::json&)>;
// Connects, sends {"cmd": cmd, "args": args}, passes each progress record to
// onProgress and returns the final result. Killing the calling process
// closes the socket, which cancels the work in the mount.
Result<nlohmann::json> CallControl(const std::string& socket, const std::string& cmd,
                                   const nlohmann::json& args, const ProgressFn& onProgress = nullptr);

class Progress;
// FindControl(path) + CallControl, feeding progress records' "count",
// "bytes", "total" and "note" fields into *progress (may be null).
Result<nlohmann::json> RunOnMount(const std::string& absPath, const std::string& cmd,
                                  const nlohmann::json& args, Progress* progress);

}  // namespace slicefs::cli
