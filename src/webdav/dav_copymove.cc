// COPY (files cloned by metadata, trees walked with bounded memory) and MOVE.
#include <vector>

#include "webdav/dav_server.h"
#include "webdav/dav_util.h"

namespace slicefs::webdav {
namespace {

// Copies the user.* xattrs (dead properties among them) of one entry.
Status CopyXattrs(PathFs& fs, const std::string& from, const std::string& to) {
  ASSIGN_OR_RETURN(auto names, fs.ListXattr(from));
  for (const auto& n : names) {
    if (!n.starts_with("user.")) continue;
    auto v = fs.GetXattr(from, n);
    if (!v) continue;
    RETURN_IF_ERROR(fs.SetXattr(to, n, *v));
  }
  return Status::OK();
}

// A file (or symlink) `from` as a new entry `to`: a metadata clone, no data copied.
Status CopyLeaf(PathFs& fs, const std::string& from, const std::string& to, FileType type) {
  if (type == FileType::kSymlink) {
    ASSIGN_OR_RETURN(auto target, fs.Readlink(from));
    auto made = fs.Symlink(target, to);
    return made ? Status::OK() : made.error();
  }
  ASSIGN_OR_RETURN(auto src, fs.Resolve(from, false));
  ASSIGN_OR_RETURN(auto parent, fs.Resolve(ParentPath(to)));
  auto made = fs.vfs().meta().CloneFile(fs.ctx(), src.ino, parent.ino, BaseName(to), /*preserve=*/false);
  return made ? Status::OK() : made.error();
}

}  // namespace

HttpReply DavHandler::CopyMove(const HttpRequest& req, const std::string& path, bool move) {
  const std::string* dh = req.Header("destination");
  if (!dh) return TextReply(400, "COPY and MOVE need a Destination header\n");
  auto dp = DestinationPath(*dh);
  if (!dp) return TextReply(400, dp.error().message() + "\n");
  const std::string dest = NormalizePath(*dp);
  bool overwrite = true;
  if (const std::string* o = req.Header("overwrite")) {
    if (*o == "F" || *o == "f") {
      overwrite = false;
    } else if (*o != "T" && *o != "t") {
      return TextReply(400, "Overwrite must be T or F\n");
    }
  }
  bool deep = true;
  if (const std::string* d = req.Header("depth")) {
    if (*d == "0" && !move) {
      deep = false;
    } else if (*d != "infinity" && *d != "Infinity") {
      return TextReply(400, move ? "MOVE Depth must be infinity\n" : "COPY Depth must be 0 or infinity\n");
    }
  }
  if (dest == path) return TextReply(403, "the source and the destination are the same\n");
  if (path == "/" || dest == "/") return TextReply(403, "the root collection cannot be copied or moved over\n");
  PathFs fs = this->fs();
  auto src = fs.Lstat(path);
  if (!src) return ErrorReply(src.error());
  const bool srcDir = src->type == FileType::kDir;
  if (srcDir && IsWithin(dest, path)) return TextReply(403, "a collection cannot go inside itself\n");
  auto destParent = fs.Stat(ParentPath(dest));
  if (!destParent || destParent->type != FileType::kDir) {
    return TextReply(409, "the destination's parent collection does not exist\n");
  }
  if (move) {
    if (auto r = CheckConditions(req, path, true, true, true)) return std::move(*r);
  } else if (auto r = CheckConditions(req, path, false, false, false)) {
    return std::move(*r);
  }
  auto destAttr = fs.Lstat(dest);
  const bool destExists = destAttr.has_value();
  if (auto r = CheckConditions(req, dest, true, true, !destExists)) return std::move(*r);
  // A file moved over a file is one rename (atomic); anything else first
  // removes what is at the destination.
  const bool renameOver = move && destExists && !srcDir && destAttr->type != FileType::kDir;
  if (destExists && !overwrite) return TextReply(412, dest + " exists and Overwrite is F\n");
  if (destExists && !renameOver) {
    Status st = RemoveAll(dest);
    if (!st.ok()) return ErrorReply(st);
  }
  if (destExists) locks_.DropTree(dest);
  if (move) {
    Status st = fs.Rename(path, dest);
    if (!st.ok()) return ErrorReply(st);
    locks_.DropTree(path);  // locks stay with the URL, they do not move
    return TextReply(destExists ? 204 : 201, "");
  }
  Status st;
  if (!srcDir) {
    st = CopyLeaf(fs, path, dest, src->type);
  } else {
    // Depth-first with one cursor per level: memory grows with the depth
    // of the tree, not its width.
    struct Level {
      std::string from, to, after;
    };
    std::vector<Level> stack;
    auto mk = fs.Mkdir(dest, src->mode & 07777);
    st = mk ? CopyXattrs(fs, path, dest) : mk.error();
    if (st.ok() && deep) stack.push_back({path, dest, ""});
    while (st.ok() && !stack.empty()) {
      if (svc_.inflight().aborting()) {
        st = Err(ECANCELED, "the server is stopping");
        break;
      }
      Level& top = stack.back();
      auto page = fs.List(top.from, top.after, 256, true);
      if (!page) {
        st = page.error();
        break;
      }
      if (page->empty()) {
        stack.pop_back();
        continue;
      }
      std::optional<Level> down;
      for (const auto& e : *page) {
        const std::string from = top.from + "/" + e.name, to = top.to + "/" + e.name;
        top.after = e.name;
        if (e.type == FileType::kDir) {
          auto m = fs.Mkdir(to, e.attr ? (e.attr->mode & 07777) : 0777);
          st = m ? CopyXattrs(fs, from, to) : m.error();
          if (st.ok()) down = Level{from, to, ""};
          break;
        }
        st = CopyLeaf(fs, from, to, e.type);
        if (!st.ok()) break;
      }
      if (down) stack.push_back(std::move(*down));
    }
  }
  if (!st.ok()) return ErrorReply(st);
  return TextReply(destExists ? 204 : 201, "");
}

}  // namespace slicefs::webdav
