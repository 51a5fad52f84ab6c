// "compact": merges the slices of every chunk of a file, or of each file of
// a tree, into one slice now (DataStore::Compact, what background
// compaction does). The caller must be able to read the file (the content
// does not change). args: {"paths": [...], "threads": N}; result:
// {"files", "chunks" (looked at), "compacted", "slicesRemoved", "failed"}.
#include <unistd.h>

#include <atomic>

#include "vfs/control/command.h"
#include "vfs/control/tree_walk.h"

namespace slicefs::control {
namespace {

Result<nlohmann::json> Compact(ControlCall& c) {
  ASSIGN_OR_RETURN(auto paths, c.VolumePaths("paths"));
  const int threads = c.args().value("threads", 4);
  if (threads < 1 || threads > 256) return Err(EINVAL, "threads must be between 1 and 256");
  Vfs& vfs = c.vfs();
  TaskRunner runner(threads);
  std::atomic<uint64_t> files{0}, chunks{0}, compacted{0}, removed{0}, failed{0};
  for (size_t i = 0; i < paths.size(); i++) {
    const std::string shown = c.args()["paths"][i].get<std::string>();
    ASSIGN_OR_RETURN(Located l, Locate(c, paths[i]));
    if (l.entry.attr.type != FileType::kFile && l.entry.attr.type != FileType::kDir) {
      return Err(EINVAL, shown + ": not a file or directory");
    }
    Status st = ForEachFile(c, l, [&](Ino ino, const Attr& a) -> Status {
      if (!vfs.Access(c.ctx(), ino, R_OK).ok()) {
        if (l.entry.ino == ino) return Status::Error(EACCES, "permission denied");
        return Status::OK();
      }
      files++;
      const uint32_t n = static_cast<uint32_t>((a.length + kChunkSize - 1) / kChunkSize);
      for (uint32_t idx = 0; idx < n; idx++) {
        runner.Submit([&, ino, idx] {
          if (c.Cancelled()) return;
          chunks++;
          auto before = vfs.meta().ReadChunk(ino, idx);
          if (!before || before->size() <= 1) return;
          Status s = vfs.data().Compact(ino, idx);
          if (s.is(ECANCELED)) s = vfs.data().Compact(ino, idx);  // changed meanwhile: once more
          auto after = vfs.meta().ReadChunk(ino, idx);
          if (!s.ok() || !after) {
            failed++;
            return;
          }
          if (after->size() < before->size()) {
            compacted++;
            removed += before->size() - after->size();
          }
        });
      }
      c.Progress(ProgressRecord(files));
      return c.Cancelled() ? Status::Error(ECANCELED, "canceled by the client") : Status::OK();
    });
    runner.Wait();
    if (!st.ok()) return Err(st.WithContext(shown));
  }
  return nlohmann::json{{"files", files.load()}, {"chunks", chunks.load()}, {"compacted", compacted.load()},
                        {"slicesRemoved", removed.load()}, {"failed", failed.load()}};
}

}  // namespace

void RegisterCompact(ControlRegistry& r) { r.Add("compact", Compact); }

}  // namespace slicefs::control
