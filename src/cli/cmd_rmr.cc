// slicefs rmr PATH... [--skip-trash]: remove trees fast through the mount's
// control channel (vfs/control/cmd_rmr.cc), as the calling user.
#include <cstdio>

#include "cli/command.h"
#include "cli/control_cmd.h"

namespace slicefs::cli {
namespace {

void Run(const std::vector<std::string>& paths, bool skipTrash, bool quiet) {
  auto abs = ClientPaths(paths);
  Progress progress("rmr", "entries", quiet);
  auto r = RunOrThrow(abs[0], "rmr", {{"paths", abs}, {"skipTrash", skipTrash}}, &progress);
  uint64_t removed = r.value("removed", uint64_t{0}), trashed = r.value("trashed", uint64_t{0});
  progress.SetCount(removed + trashed);
  progress.Done(trashed ? FormatCount(trashed) + " moved to the trash" : "");
}

void Setup(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto skip = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("rmr", "remove directories recursively, fast (into the trash when it is on)");
  c->add_option("PATH", *paths, "files or directories inside a mount")->required();
  c->add_flag("--skip-trash", *skip, "remove for good instead of moving into the trash (root only)");
  c->add_flag("-q,--quiet", *quiet, "no progress line or summary");
  c->callback([=] { Run(*paths, *skip, *quiet); });
}

}  // namespace

REGISTER_COMMAND("rmr", Setup);

}  // namespace slicefs::cli
