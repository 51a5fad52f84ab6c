// slicefs clone SRC DST [--preserve]: copy-on-write copy of a file or tree
// (metadata only) through the mount's control channel
// (vfs/control/cmd_clone.cc), as the calling user.
#include "cli/command.h"
#include "cli/control_cmd.h"

namespace slicefs::cli {
namespace {

void Run(const std::string& src, const std::string& dst, bool preserve, bool quiet) {
  auto abs = ClientPaths({src, dst});
  Progress progress("clone", "entries", quiet);
  auto r = RunOrThrow(abs[0], "clone", {{"src", abs[0]}, {"dst", abs[1]}, {"preserve", preserve}}, &progress);
  uint64_t files = r.value("files", uint64_t{0}), dirs = r.value("dirs", uint64_t{0});
  progress.SetCount(files + dirs + r.value("symlinks", uint64_t{0}) + r.value("others", uint64_t{0}));
  progress.SetBytes(r.value("bytes", uint64_t{0}));
  progress.Done(FormatCount(files) + " files, " + FormatCount(dirs) + " directories");
}

void Setup(CLI::App& app) {
  auto src = std::make_shared<std::string>();
  auto dst = std::make_shared<std::string>();
  auto preserve = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("clone", "clone a file or directory without copying its data");
  c->add_option("SRC", *src, "file or directory inside a mount")->required();
  c->add_option("DST", *dst, "new path in the same mount (must not exist)")->required();
  c->add_flag("-p,--preserve", *preserve, "keep mode, times (and owner, for root), like cp -p");
  c->add_flag("-q,--quiet", *quiet, "no progress line or summary");
  c->callback([=] { Run(*src, *dst, *preserve, *quiet); });
}

}  // namespace

REGISTER_COMMAND("clone", Setup);

}  // namespace slicefs::cli
