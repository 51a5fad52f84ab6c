// "summary": sizes and counts of a tree (Meta::Summarize), for
// `slicefs summary PATH [--depth N] [--entries N]`. Args: {"path": client
// path, "depth": N, "entries": N}. Result: the summary tree as nested
// objects {name, ino, length, size, files, dirs, children: [...]}. The
// caller needs read and search permission on the top directory.
#include <unistd.h>

#include "vfs/control/command.h"
#include "vfs/control/wire.h"

namespace slicefs::control {
namespace {

nlohmann::json ToJson(const SummaryNode& n) {
  nlohmann::json j{{"name", n.name}, {"ino", n.ino},     {"length", n.length},
                   {"size", n.space}, {"files", n.files}, {"dirs", n.dirs}};
  auto kids = nlohmann::json::array();
  for (const auto& c : n.children) kids.push_back(ToJson(c));
  j["children"] = std::move(kids);
  return j;
}

Result<nlohmann::json> Summary(ControlCall& c) {
  const auto& a = c.args();
  if (!a.contains("path") || !a["path"].is_string()) return Err(EINVAL, "summary: args.path missing");
  const int depth = a.value("depth", 2), entries = a.value("entries", 10);
  if (depth < 0 || depth > 100) return Err(EINVAL, "--depth must be 0..100");
  if (entries < 0 || entries > 100000) return Err(EINVAL, "--entries must be 0..100000 (0 = all)");
  ASSIGN_OR_RETURN(std::string vp, c.VolumePath(a["path"].get<std::string>()));
  ASSIGN_OR_RETURN(Entry e, c.fs().Resolve(vp));
  Meta& meta = c.vfs().meta();
  SummaryNode n;
  if (e.attr.type == FileType::kDir) {
    RETURN_IF_ERROR(meta.Access(c.ctx(), e.ino, R_OK | X_OK));
    ASSIGN_OR_RETURN(n, meta.Summarize(e.ino, depth, entries));
  } else {  // a single file
    n.ino = e.ino;
    n.length = e.attr.length;
    n.space = e.attr.type == FileType::kFile ? (e.attr.length + 4095) / 4096 * 4096 : 0;
    n.files = 1;
  }
  n.name = a["path"].get<std::string>();
  auto out = ToJson(n);
  if (out.dump().size() > kMaxResponseBytes / 2)
    return Err(E2BIG, "summary too large to send: use a smaller --depth or --entries");
  return out;
}

}  // namespace

void RegisterSummary(ControlRegistry& r) { r.Add("summary", Summary); }

}  // namespace slicefs::control
