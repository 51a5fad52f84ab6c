// slicefs destroy META-URL UUID [--yes] [--force] [--threads N]: deletes all
// objects and all metadata of a volume (vfs/destroy.h).
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/command.h"
#include "cli/progress.h"
#include "common/size.h"
#include "vfs/destroy.h"

namespace slicefs::cli {
namespace {

struct DestroyArgs {
  std::string metaUrl, uuid;
  bool yes = false, force = false;
  int threads = 16;
};

void RunDestroy(const DestroyArgs& a) {
  if (a.threads < 1 || a.threads > 256) throw CommandError("--threads must be 1..256");
  auto vol = Check(OpenMaintenance(a.metaUrl, /*storage=*/true, /*requireUuid=*/false));
  if (vol.fmt.uuid != a.uuid) {
    throw CommandError("UUID " + a.uuid + " does not match volume '" + vol.fmt.name + "' (its UUID is " +
                       vol.fmt.uuid + "; see `slicefs status`)");
  }
  auto live = Check(LiveSessions(*vol.kv, static_cast<int64_t>(std::time(nullptr))));
  if (!live.empty() && !a.force) {
    throw CommandError("volume '" + vol.fmt.name + "' has " + std::to_string(live.size()) +
                       " live session(s) (sid " + std::to_string(live[0].first) +
                       "): unmount every client first, or pass --force");
  }
  if (!a.yes) {
    if (isatty(STDIN_FILENO) != 1) throw CommandError("not a terminal: pass --yes to destroy without confirmation");
    std::fprintf(stderr, "Destroy volume '%s' (%s): every object in %s and all its metadata? [y/N] ",
                 vol.fmt.name.c_str(), vol.fmt.uuid.c_str(), vol.store->describe().c_str());
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") throw CommandError("aborted: nothing was deleted");
  }
  Progress prog("destroy", "objects");
  auto r = DestroyVolume(vol, a.threads, [&](uint64_t n, uint64_t bytes) {
    prog.SetCount(n);
    prog.SetBytes(bytes);
  });
  if (!r) {
    prog.Stop();
    Check(r.error(), "destroy (rerun to finish)");
  }
  prog.Done();
  std::printf("volume '%s' destroyed: %s objects (%s) and its metadata deleted\n", vol.fmt.name.c_str(),
              FormatCount(r->objects).c_str(), FormatSize(r->bytes).c_str());
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<DestroyArgs>();
  auto* cmd = app.add_subcommand("destroy", "Delete all objects and all metadata of a volume");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("UUID", a->uuid, "the volume's UUID (from `slicefs status`), as a safety check")->required();
  cmd->add_flag("--yes,-y", a->yes, "do not ask for confirmation");
  cmd->add_flag("--force,-f", a->force, "destroy even while sessions are alive");
  cmd->add_option("--threads", a->threads, "parallel deletions (default 16)");
  cmd->callback([a] { RunDestroy(*a); });
}

}  // namespace

REGISTER_COMMAND("destroy", Setup);

}  // namespace slicefs::cli
