#include "cli/control_cmd.h"

#include "cli/command.h"

namespace slicefs::cli {

std::vector<std::string> ClientPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    auto cp = ClientPath(p);
    if (!cp) throw CommandError(cp.error().message());
    out.push_back(*cp);
  }
  return out;
}

nlohmann::json RunOrThrow(const std::string& where, const std::string& cmd, const nlohmann::json& args,
                          Progress* progress) {
  auto r = RunOnMount(where, cmd, args, progress);
  if (!r) {
    if (progress) progress->Stop();
    throw CommandError(r.error().message(), 1);
  }
  return *r;
}

}  // namespace slicefs::cli
