// "warmup": loads the blocks of files into this mount's cache (the disk
// cache when configured, else memory), drops them (evict), or reports how
// much of them is cached (check). Files the caller cannot read are skipped.
// args: {"paths": [...], "threads": N, "evict": bool, "check": bool};
// result: {"paths": [{"path", "files", "bytes", "cached"}], "files",
// "bytes", "cached", "skipped", "failed"} (bytes: the files' block bytes;
// cached: those in a cache after the command).
#include <unistd.h>

#include <atomic>

#include "vfs/control/command.h"
#include "vfs/control/tree_walk.h"

namespace slicefs::control {
namespace {

Result<nlohmann::json> Warmup(ControlCall& c) {
  ASSIGN_OR_RETURN(auto paths, c.VolumePaths("paths"));
  const int threads = c.args().value("threads", 10);
  if (threads < 1 || threads > 256) return Err(EINVAL, "threads must be between 1 and 256");
  const bool evict = c.args().value("evict", false), check = c.args().value("check", false);
  if (evict && check) return Err(EINVAL, "--evict and --check exclude each other");
  DataStore& data = c.vfs().data();
  TaskRunner runner(threads);
  std::atomic<uint64_t> files{0}, bytes{0}, cached{0}, failed{0}, skipped{0}, done{0};
  nlohmann::json perPath = nlohmann::json::array();
  Status firstErr;
  for (size_t i = 0; i < paths.size(); i++) {
    const std::string shown = c.args()["paths"][i].get<std::string>();
    ASSIGN_OR_RETURN(Located l, Locate(c, paths[i]));
    const uint64_t f0 = files, b0 = bytes, c0 = cached;
    Status st = ForEachFile(c, l, [&](Ino ino, const Attr& a) -> Status {
      if (!c.vfs().Access(c.ctx(), ino, R_OK).ok()) {
        skipped++;
        return Status::OK();
      }
      ASSIGN_OR_RETURN(auto blocks, FileBlocks(c.vfs(), ino, a));
      files++;
      for (const auto& b : blocks) bytes += b.len;
      if (check || evict) {
        for (const auto& b : blocks) {
          if (evict) data.EvictBlock(b.id, b.size, b.block);
          if (!evict && data.BlockCached(b.id, b.size, b.block)) cached += b.len;
        }
        done += blocks.size();
      } else {
        for (const auto& b : blocks) {
          runner.Submit([&, b] {
            if (c.Cancelled()) return;  // read-only check from a worker: cheap poll
            Status w = data.WarmBlock(b.id, b.size, b.block);
            if (w.ok()) {
              cached += b.len;
            } else {
              failed++;
            }
            done++;
          });
        }
      }
      c.Progress(ProgressRecord(files, evict || check ? bytes.load() : cached.load()));
      return c.Cancelled() ? Status::Error(ECANCELED, "canceled by the client") : Status::OK();
    });
    runner.Wait();
    if (!st.ok()) return Err(st.WithContext(shown));
    perPath.push_back({{"path", shown}, {"files", files - f0}, {"bytes", bytes - b0}, {"cached", cached - c0}});
  }
  if (c.Cancelled()) return Err(ECANCELED, "canceled by the client");
  return nlohmann::json{{"paths", perPath},    {"files", files.load()},     {"bytes", bytes.load()},
                        {"cached", cached.load()}, {"skipped", skipped.load()}, {"failed", failed.load()}};
}

}  // namespace

void RegisterWarmup(ControlRegistry& r) { r.Add("warmup", Warmup); }

}  // namespace slicefs::control
