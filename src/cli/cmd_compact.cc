// slicefs compact PATH... [--threads N]: merge the slices of each chunk of
// the files now, in the mount (vfs/control/cmd_compact.cc).
#include <cstdio>

#include "cli/command.h"
#include "cli/control_cmd.h"

namespace slicefs::cli {
namespace {

void Run(const std::vector<std::string>& paths, int threads, bool quiet) {
  if (threads < 1 || threads > 256) throw CommandError("--threads must be between 1 and 256");
  auto abs = ClientPaths(paths);
  Progress progress("compact", "files", quiet);
  auto r = RunOrThrow(abs[0], "compact", {{"paths", abs}, {"threads", threads}}, &progress);
  progress.SetCount(r.value("files", uint64_t{0}));
  progress.Done(FormatCount(r.value("compacted", uint64_t{0})) + " chunks compacted, " +
                FormatCount(r.value("slicesRemoved", uint64_t{0})) + " slices removed");
  if (uint64_t failed = r.value("failed", uint64_t{0})) {
    throw CommandError(FormatCount(failed) + " chunks could not be compacted (see the mount's log)");
  }
}

void Setup(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto threads = std::make_shared<int>(4);
  auto quiet = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("compact", "compact the chunks of files or trees now");
  c->add_option("PATH", *paths, "files or directories inside a mount")->required();
  c->add_option("-p,--threads", *threads, "chunks compacted at once")->capture_default_str();
  c->add_flag("-q,--quiet", *quiet, "no progress line or summary");
  c->callback([=] { Run(*paths, *threads, *quiet); });
}

}  // namespace

REGISTER_COMMAND("compact", Setup);

}  // namespace slicefs::cli
