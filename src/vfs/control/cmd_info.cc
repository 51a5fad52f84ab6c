// "info": where a file's bytes live, for `slicefs info PATH [-r]`. Args:
// {"path": client path, "from": first chunk index (default 0),
// "recursive": bool}. Result: {"ino", "type", "length", "nlink", "chunks":
// [{"index", "id", "pos", "off", "len", "objects": [keys]}], "next": the
// chunk index to ask for next (absent when done)} for a file, at most
// kChunksPerReply chunks per reply so a reply stays small however large
// the file; for a directory with recursive, "summary": {"files", "dirs",
// "length", "size"} from the directory stats (Meta::Summarize: no file is
// read). The path is resolved with the caller's credentials (like stat, no
// permission on the file itself is needed); -r needs read and search
// permission on the directory, as listing it would.
#include <unistd.h>

#include "vfs/control/command.h"
#include "vfs/control/tree_walk.h"

namespace slicefs::control {
namespace {

constexpr uint32_t kChunksPerReply = 256;

const char* TypeName(FileType t) {
  switch (t) {
    case FileType::kFile: return "file";
    case FileType::kDir: return "directory";
    case FileType::kSymlink: return "symlink";
    case FileType::kFifo: return "fifo";
    case FileType::kBlockDev: return "block device";
    case FileType::kCharDev: return "char device";
    case FileType::kSocket: return "socket";
  }
  return "?";
}

Result<nlohmann::json> Chunks(ControlCall& c, Ino ino, const Attr& a, uint32_t from) {
  Vfs& vfs = c.vfs();
  const uint64_t bs = uint64_t(vfs.meta().format().blockSizeKiB) << 10;
  const auto count = static_cast<uint32_t>((a.length + kChunkSize - 1) / kChunkSize);
  auto out = nlohmann::json::array();
  const uint32_t end = std::min<uint64_t>(count, uint64_t(from) + kChunksPerReply);
  for (uint32_t i = from; i < end; i++) {
    ASSIGN_OR_RETURN(auto recs, vfs.meta().ReadChunk(ino, i));
    for (const auto& r : recs) {
      nlohmann::json j{{"index", i}, {"id", r.id}, {"pos", r.pos}, {"off", r.off}, {"len", r.len}};
      auto objects = nlohmann::json::array();
      if (r.id != 0 && r.len != 0) {
        const uint64_t first = r.off / bs, last = (uint64_t(r.off) + r.len - 1) / bs;
        for (uint64_t b = first; b <= last; b++) {
          const uint64_t blen = std::min<uint64_t>(bs, r.size - b * bs);
          objects.push_back(vfs.data().BlockKey(r.id, static_cast<uint32_t>(b), static_cast<uint32_t>(blen)));
        }
      }
      j["objects"] = std::move(objects);
      out.push_back(std::move(j));
    }
  }
  nlohmann::json reply{{"chunks", std::move(out)}};
  if (end < count) reply["next"] = end;
  return reply;
}

Result<nlohmann::json> Info(ControlCall& c) {
  const auto& args = c.args();
  if (!args.contains("path") || !args["path"].is_string()) return Err(EINVAL, "info: args.path missing");
  const uint32_t from = args.value("from", 0u);
  ASSIGN_OR_RETURN(std::string vp, c.VolumePath(args["path"].get<std::string>()));
  ASSIGN_OR_RETURN(Located l, Locate(c, vp));
  const Attr& a = l.entry.attr;
  nlohmann::json out{{"ino", l.entry.ino}, {"type", TypeName(a.type)}, {"length", a.length}, {"nlink", a.nlink}};
  if (a.type == FileType::kFile) {
    ASSIGN_OR_RETURN(auto chunks, Chunks(c, l.entry.ino, a, from));
    out.update(chunks);
  } else if (a.type == FileType::kDir && args.value("recursive", false)) {
    RETURN_IF_ERROR(c.vfs().meta().Access(c.ctx(), l.entry.ino, R_OK | X_OK));
    ASSIGN_OR_RETURN(SummaryNode n, c.vfs().meta().Summarize(l.entry.ino, 0, 0));
    out["summary"] = {{"files", n.files}, {"dirs", n.dirs}, {"length", n.length}, {"size", n.space}};
  }
  return out;
}

}  // namespace

void RegisterInfo(ControlRegistry& r) { r.Add("info", Info); }

}  // namespace slicefs::control
