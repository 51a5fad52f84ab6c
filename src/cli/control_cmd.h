// The common shape of the CLI commands that run in the mount (rmr, clone,
// compact, warmup): make each PATH absolute as the mount sees it, run the
// command on the mount holding the first one with a Progress line, and turn
// errors into one-line CommandErrors.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cli/control_client.h"
#include "cli/progress.h"

namespace slicefs::cli {

// ClientPath of each path (CommandError naming the bad one).
std::vector<std::string> ClientPaths(const std::vector<std::string>& paths);
// Runs cmd on the mount holding `where`; *progress may be null.
nlohmann::json RunOrThrow(const std::string& where, const std::string& cmd, const nlohmann::json& args,
                          Progress* progress);

}  // namespace slicefs::cli
