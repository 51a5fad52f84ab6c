// slicefs gc META-URL [--delete] [--compact] [--threads N] [--safety-window D]:
// reports leaked objects, pending deletions and expired trash (vfs/gc.h);
// --delete removes the leaked objects and finishes pending deletions;
// --compact first compacts fragmented chunks.
#include <cstdio>

#include "cli/command.h"
#include "cli/progress.h"
#include "common/size.h"
#include "kv/scan.h"
#include "meta/keys.h"
#include "meta/slice_codec.h"
#include "vfs/backup.h"
#include "vfs/gc.h"
#include "vfs/maintenance.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct GcArgs {
  std::string metaUrl, window = "1h";
  bool del = false, compact = false;
  int threads = 8;
};

int64_t ParseWindow(const std::string& s) {
  auto d = ParseBackupInterval(s);
  if (!d) throw CommandError("--safety-window: '" + s + "' is not a duration (e.g. 3600, 30m, 1h, 2h30m)");
  return d->count();
}

// Compacts every chunk with more than one slice record; returns how many.
uint64_t CompactAll(const std::string& metaUrl) {
  auto vol = Check(Volume::Open(metaUrl, VolumeOptions{}), "opening the volume for --compact");
  Progress prog("compact", "chunks");
  std::vector<std::pair<Ino, uint32_t>> todo;
  uint64_t compacted = 0;
  auto flush = [&]() {
    for (const auto& [ino, index] : todo) {
      Status st = vol->data().Compact(ino, index);
      if (st.ok()) {
        compacted++;
        prog.Add();
      } else if (!st.is(ENOENT) && !st.is(ECANCELED)) {
        Check(st, "compacting inode " + std::to_string(ino) + " chunk " + std::to_string(index));
      }
    }
    todo.clear();
  };
  Check(ScanPrefixOutside(vol->meta().kv(), keys::InodeAll(), 1000, [&](std::vector<KeyValue>& page) -> Status {
    for (const auto& e : page) {
      auto k = keys::ParseInodeKey(e.key);
      if (!k || k->kind != 'C' || e.value.size() < 2 * kSliceRecordSize) continue;
      auto index = keys::ChunkIndex(e.key);
      if (index) todo.emplace_back(k->ino, *index);
    }
    flush();
    return Status::OK();
  }), "scanning chunks");
  Check(vol->data().FlushAll(), "flushing");
  prog.Done();
  return compacted;
}

void RunGcCmd(const GcArgs& a) {
  if (a.threads < 1 || a.threads > 256) throw CommandError("--threads must be 1..256");
  GcOptions opts;
  opts.del = a.del;
  opts.threads = a.threads;
  opts.safetyWindowSec = ParseWindow(a.window);
  if (a.compact) CompactAll(a.metaUrl);
  auto vol = Check(OpenMaintenance(a.metaUrl, /*storage=*/true));
  VolumeOptions vo;
  vo.openData = false;
  vo.readOnly = !a.del;  // a report changes nothing, not even through Meta's background work
  auto metaVol = Check(Volume::Open(a.metaUrl, vo));
  Progress prog("gc", "objects");
  opts.progress = [&](uint64_t n, uint64_t bytes) {
    prog.SetCount(n);
    prog.SetBytes(bytes);
  };
  auto r = RunGc(*vol.kv, vol.fmt, *vol.store, metaVol->meta(), opts);
  prog.Stop();
  if (!r) Check(r.error(), "gc");
  const GcReport& g = *r;
  auto sz = [](uint64_t b) { return FormatSize(b); };
  std::printf("listed:            %s objects (%s)\n", FormatCount(g.listed).c_str(), sz(g.listedBytes).c_str());
  std::printf("live:              %s objects (%s)\n", FormatCount(g.live).c_str(), sz(g.liveBytes).c_str());
  std::printf("leaked:            %s objects (%s)\n", FormatCount(g.leaked).c_str(), sz(g.leakedBytes).c_str());
  std::printf("left alone:        %s younger than %s, %s of uncommitted slices (id >= %lld), %s foreign keys\n",
              FormatCount(g.young).c_str(), a.window.c_str(), FormatCount(g.uncommitted).c_str(),
              static_cast<long long>(g.nextChunk), FormatCount(g.foreign).c_str());
  std::printf("pending deletions: %s files (%s), %s slices without references (%s)\n",
              FormatCount(g.pendingFiles).c_str(), sz(g.pendingFileBytes).c_str(),
              FormatCount(g.zeroRefSlices).c_str(), sz(g.zeroRefBytes).c_str());
  std::printf("expired trash:     %s entries (%s)\n", FormatCount(g.expiredTrash).c_str(),
              sz(g.expiredTrashBytes).c_str());
  if (a.del) {
    std::printf("deleted:           %s leaked objects (%s), %s kept (referenced meanwhile); %s files and %s slices "
                "of pending deletions finished\n",
                FormatCount(g.deleted).c_str(), sz(g.deletedBytes).c_str(), FormatCount(g.keptOnRecheck).c_str(),
                FormatCount(g.finishedFiles).c_str(), FormatCount(g.freedSlices).c_str());
  } else if (g.leaked || g.pendingFiles || g.zeroRefSlices) {
    std::printf("run with --delete to remove the leaked objects and finish the pending deletions\n");
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<GcArgs>();
  auto* cmd = app.add_subcommand("gc", "Find (and delete) leaked objects and finish pending deletions");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_flag("--delete", a->del, "delete leaked objects and finish pending deletions");
  cmd->add_flag("--compact", a->compact, "compact chunks made of several slices first");
  cmd->add_option("--threads", a->threads, "parallel deletions (default 8)");
  cmd->add_option("--safety-window", a->window, "leave objects younger than this alone (default 1h)");
  cmd->callback([a] { RunGcCmd(*a); });
}

}  // namespace

REGISTER_COMMAND("gc", Setup);

}  // namespace slicefs::cli
