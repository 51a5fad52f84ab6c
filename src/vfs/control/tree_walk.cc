#include "vfs/control/tree_walk.h"

#include <set>
#include <thread>

#include "chunk/work_pool.h"

namespace slicefs::control {

Result<Located> Locate(ControlCall& c, const std::string& volPath) {
  ASSIGN_OR_RETURN(auto comps, SplitVolumePath(volPath));
  Located l;
  if (comps.empty()) {
    l.entry.ino = kRootIno;
    ASSIGN_OR_RETURN(l.entry.attr, c.vfs().GetAttr(c.ctx(), kRootIno));
    return l;
  }
  std::string parentPath(1, '/');
  for (size_t i = 0; i + 1 < comps.size(); i++) parentPath.append(comps[i]).append(1, '/');
  ASSIGN_OR_RETURN(Entry pe, c.fs().Resolve(parentPath, true));
  if (pe.attr.type != FileType::kDir) return Err(ENOTDIR, parentPath + ": not a directory");
  l.parent = pe.ino;
  l.name = comps.back();
  if (l.name == "..") return Err(EINVAL, volPath + ": refusing a path ending in ..");
  ASSIGN_OR_RETURN(l.entry, c.vfs().Lookup(c.ctx(), l.parent, l.name));
  return l;
}

Status WalkTree(ControlCall& c, Ino dir,
                const std::function<Result<bool>(Ino, const Attr&, const DirEntry&)>& visit) {
  struct Frame {
    Ino ino;
    Attr attr;
  };
  ASSIGN_OR_RETURN(Attr top, c.vfs().GetAttr(c.ctx(), dir));
  std::vector<Frame> stack{{dir, top}};
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    std::string after;
    for (;;) {
      if (c.Cancelled()) return Status::Error(ECANCELED, "canceled by the client");
      ASSIGN_OR_RETURN(auto batch, c.vfs().meta().Readdir(c.ctx(), f.ino, after, 1000, true));
      for (const auto& e : batch) {
        ASSIGN_OR_RETURN(bool descend, visit(f.ino, f.attr, e));
        if (descend && e.type == FileType::kDir && e.attr) stack.push_back({e.ino, *e.attr});
      }
      if (batch.size() < 1000) break;
      after = batch.back().name;
    }
  }
  return Status::OK();
}

Status ForEachFile(ControlCall& c, const Located& l, const std::function<Status(Ino, const Attr&)>& fn) {
  if (l.entry.attr.type == FileType::kFile) return fn(l.entry.ino, l.entry.attr);
  if (l.entry.attr.type != FileType::kDir) return Status::OK();
  return WalkTree(c, l.entry.ino, [&](Ino, const Attr&, const DirEntry& e) -> Result<bool> {
    if (e.type == FileType::kFile && e.attr) RETURN_IF_ERROR(fn(e.ino, *e.attr));
    return true;
  });
}

Result<std::vector<FileBlock>> FileBlocks(Vfs& vfs, Ino ino, const Attr& a) {
  const uint64_t bs = vfs.data().blockSize();
  std::vector<FileBlock> out;
  std::set<std::pair<uint64_t, uint32_t>> seen;
  const uint32_t chunks = static_cast<uint32_t>((a.length + kChunkSize - 1) / kChunkSize);
  for (uint32_t i = 0; i < chunks; i++) {
    ASSIGN_OR_RETURN(auto recs, vfs.meta().ReadChunk(ino, i));
    for (const auto& r : recs) {
      if (r.id == 0 || r.len == 0) continue;
      const uint64_t first = r.off / bs, last = (uint64_t(r.off) + r.len - 1) / bs;
      for (uint64_t b = first; b <= last && b * bs < r.size; b++) {
        if (!seen.insert({r.id, static_cast<uint32_t>(b)}).second) continue;
        out.push_back({r.id, r.size, static_cast<uint32_t>(b),
                       static_cast<uint32_t>(std::min<uint64_t>(bs, r.size - b * bs))});
      }
    }
  }
  return out;
}

struct TaskRunner::Impl {
  explicit Impl(int threads) : limit(static_cast<size_t>(threads) * 4), pool(threads) {}
  size_t limit;
  WorkPool pool;
};

TaskRunner::TaskRunner(int threads) : impl_(std::make_unique<Impl>(std::max(1, threads))) {}
TaskRunner::~TaskRunner() { impl_->pool.Drain(); }

void TaskRunner::Submit(std::function<void()> task) {
  while (impl_->pool.Queued() >= impl_->limit) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->pool.Submit(std::move(task));
}

void TaskRunner::Wait() { impl_->pool.Drain(); }

nlohmann::json ProgressRecord(uint64_t count, uint64_t bytes, uint64_t total, const std::string& note) {
  nlohmann::json p{{"count", count}};
  if (bytes) p["bytes"] = bytes;
  if (total) p["total"] = total;
  if (!note.empty()) p["note"] = note;
  return p;
}

}  // namespace slicefs::control
