#include "vfs/control/tree_walk.h"

namespace slicefs::control {

Result<Located> Locate(ControlCall& c, const std::string& volPath) {
  ASSIGN_OR_RETURN(auto comps, SplitVolumePath(volPath));
  Located l;
  if (comps.empty()) {
    l.entry.ino = kRootIno;
    ASSIGN_OR_RETURN(l.entry.attr, c.vfs().GetAttr(c.ctx(), kRootIno));
    return l;
  }
  std::string parentPath;
  for (size_t i = 0; i + 1 < comps.size(); i++) parentPath += "/" + comps[i];
  if (parentPath.empty()) parentPath = "/";
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

nlohmann::json ProgressRecord(uint64_t count, uint64_t bytes, uint64_t total, const std::string& note) {
  nlohmann::json p{{"count", count}};
  if (bytes) p["bytes"] = bytes;
  if (total) p["total"] = total;
  if (!note.empty()) p["note"] = note;
  return p;
}

}  // namespace slicefs::control
