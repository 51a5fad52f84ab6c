// slicefs fsck META-URL [--path P] [--repair] [--force] [--threads N]:
// checks the volume's metadata invariants and objects (vfs/fsck.h), prints
// one line per problem and a summary; exit 1 while problems remain.
#include <ctime>

#include "cli/command.h"
#include "cli/progress.h"
#include "common/size.h"
#include "vfs/fsck.h"
#include "vfs/maintenance.h"

namespace slicefs::cli {
namespace {

struct FsckArgs {
  std::string metaUrl, path;
  bool repair = false, force = false, noObjects = false;
  int threads = 8;
};

void RunFsckCmd(const FsckArgs& a) {
  if (a.threads < 1 || a.threads > 256) throw CommandError("--threads must be 1..256");
  auto vol = Check(OpenMaintenance(a.metaUrl, /*storage=*/!a.noObjects));
  if (a.repair) {
    auto live = Check(LiveSessions(*vol.kv, static_cast<int64_t>(std::time(nullptr))));
    if (!live.empty() && !a.force) {
      throw CommandError("refusing --repair: " + std::to_string(live.size()) +
                         " live session(s) (sid " + std::to_string(live[0].first) +
                         "); unmount every client first, or pass --force");
    }
  }
  Progress prog("fsck", "objects");
  FsckOptions opts;
  opts.repair = a.repair;
  opts.threads = a.threads;
  opts.path = a.path;
  opts.progress = [&](uint64_t n, uint64_t bytes) {
    prog.SetCount(n);
    prog.SetBytes(bytes);
  };
  opts.keyProgress = [&](uint64_t keys) { prog.SetNote(FormatCount(keys) + " keys read"); };
  auto r = RunFsck(*vol.kv, vol.fmt, vol.store.get(), opts);
  prog.Stop();
  if (!r) Check(r.error(), "fsck");
  const FsckReport& report = *r;
  int lost = 0, repaired = 0;
  for (const auto& p : report.problems) {
    std::printf("%s: %s\n", p.check.c_str(), p.message.c_str());
    lost += p.lostData ? 1 : 0;
    repaired += p.repaired ? 1 : 0;
  }
  for (const auto& n : report.notes) std::printf("note: %s\n", n.c_str());
  const int left = report.unrepaired();
  std::printf("fsck: %s inodes, %s slices, %s objects (%s) checked: %zu problems, %d repaired, %d left%s\n",
              FormatCount(report.inodes).c_str(), FormatCount(report.slices).c_str(),
              FormatCount(report.objects).c_str(), FormatSize(report.objectBytes).c_str(), report.problems.size(),
              repaired, left, lost ? (", " + std::to_string(lost) + " files lost data").c_str() : "");
  std::fflush(stdout);
  if (left > 0) throw CommandError("the volume is broken (" + std::to_string(left) + " problems left" +
                                   (a.repair ? ")" : "; --repair fixes counters, links, references and orphans)"));
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<FsckArgs>();
  auto* cmd = app.add_subcommand("fsck", "Check a volume's metadata and objects (and repair what can be)");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("--path", a->path, "check the objects of this subtree only (HEAD instead of a listing)");
  cmd->add_flag("--repair", a->repair, "fix usage counters, link counts, reference counts; move orphans to /lost+found");
  cmd->add_flag("--force", a->force, "repair even while other sessions are alive");
  cmd->add_flag("--no-objects", a->noObjects, "check the metadata only");
  cmd->add_option("--threads", a->threads, "parallel HEAD requests (default 8)");
  cmd->callback([a] { RunFsckCmd(*a); });
}

}  // namespace

REGISTER_COMMAND("fsck", Setup);

}  // namespace slicefs::cli
