// "clone": a copy-on-write copy of a file or tree, metadata only: each file
// copy shares the source's slices (their reference counts go up), so no
// data is read or written, and later writes to either side make new slices
// the other does not see. The copy is built under a hidden temporary name
// in DST's parent and renamed into place at the end (it appears at once);
// on failure or cancel the partial copy is removed again.
//
// Permissions as `cp -r` by the caller: read on files, read+search on
// directories, write+search on DST's parent. Copies belong to the caller;
// with preserve (cp -p) mode and times are kept, and the owner too when the
// caller is root. Hard links inside the tree become separate files.
// args: {"src", "dst", "preserve"}; result: {"files", "dirs", "symlinks",
// "others", "bytes"}.
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <unordered_map>

#include "common/clock.h"
#include "vfs/control/command.h"
#include "vfs/control/tree_walk.h"

namespace slicefs::control {
namespace {

struct CloneStats {
  uint64_t files = 0, dirs = 0, symlinks = 0, others = 0, bytes = 0;
  uint64_t total() const { return files + dirs + symlinks + others; }
};

// Where dirs' final mode/times/owner go once their entries are in.
struct DirFix {
  Ino ino;
  Attr src;
};

class Cloner {
 public:
  Cloner(ControlCall& c, bool preserve) : c_(c), preserve_(preserve) {}

  // Copies the node `src` (attributes sa) as `name` in `parent`.
  Result<Ino> Node(Ino src, const Attr& sa, Ino parent, const std::string& name) {
    Meta& m = c_.vfs().meta();
    const Ctx& ctx = c_.ctx();
    switch (sa.type) {
      case FileType::kFile: {
        (void)c_.vfs().data().Flush(src);  // this mount's buffered writes first
        ASSIGN_OR_RETURN(Entry e, m.CloneFile(ctx, src, parent, name, preserve_));
        st_.files++;
        st_.bytes += sa.length;
        return e.ino;
      }
      case FileType::kDir: {
        RETURN_IF_ERROR(c_.vfs().Access(ctx, src, R_OK | X_OK));
        ASSIGN_OR_RETURN(Entry e, m.Mkdir(ctx, parent, name, 0700, 0));
        st_.dirs++;
        fixes_.push_back({e.ino, sa});
        return e.ino;
      }
      case FileType::kSymlink: {
        ASSIGN_OR_RETURN(std::string target, m.Readlink(ctx, src));
        ASSIGN_OR_RETURN(Entry e, m.Symlink(ctx, parent, name, target));
        st_.symlinks++;
        if (preserve_) RETURN_IF_ERROR(Fix(e.ino, sa, false));
        return e.ino;
      }
      default: {
        ASSIGN_OR_RETURN(Entry e, m.Mknod(ctx, parent, name, ModeTypeBits(sa.type) | (sa.mode & 07777), 0, sa.rdev));
        st_.others++;
        if (preserve_) RETURN_IF_ERROR(Fix(e.ino, sa, false));
        return e.ino;
      }
    }
  }

  // Copies everything below source directory `src` into `dst`.
  Status Tree(Ino src, Ino dst) {
    std::unordered_map<Ino, Ino> map{{src, dst}};
    return WalkTree(c_, src, [&](Ino parent, const Attr&, const DirEntry& e) -> Result<bool> {
      if (!e.attr) return false;
      ASSIGN_OR_RETURN(Ino made, Node(e.ino, *e.attr, map.at(parent), e.name));
      if (e.type == FileType::kDir) map[e.ino] = made;
      if (st_.total() % 256 == 0) c_.Progress(ProgressRecord(st_.total(), st_.bytes));
      return e.type == FileType::kDir;
    });
  }

  // Final modes (and with preserve times/owner) of the copied directories,
  // deepest first so a read-only directory is filled before it closes.
  Status FixDirs() {
    for (auto it = fixes_.rbegin(); it != fixes_.rend(); ++it) RETURN_IF_ERROR(Fix(it->ino, it->src, true));
    return Status::OK();
  }

  const CloneStats& stats() const { return st_; }

 private:
  Status Fix(Ino ino, const Attr& sa, bool setMode) {
    Attr in = sa;
    uint32_t mask = 0;
    if (setMode) {
      mask |= kSetMode;
      in.mode = preserve_ ? sa.mode : (sa.mode & ~uint32_t(022) & 07777);
    }
    if (preserve_) {
      mask |= kSetAtime | kSetMtime;
      if (c_.ctx().isRoot()) mask |= kSetUid | kSetGid;
    }
    if (mask == 0) return Status::OK();
    auto r = c_.vfs().meta().SetAttr(c_.ctx(), ino, mask, in);
    return r ? Status::OK() : r.error();
  }

  ControlCall& c_;
  bool preserve_;
  CloneStats st_;
  std::vector<DirFix> fixes_;
};

std::string TempName() {
  std::random_device rd;
  return ".slicefs-clone-" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

// True if `dir` is `anc` or below it.
Result<bool> Under(Vfs& vfs, Ino dir, Ino anc) {
  for (int depth = 0; depth < 4096; depth++) {
    if (dir == anc) return true;
    if (dir == kRootIno || dir == 0) return false;
    ASSIGN_OR_RETURN(Attr a, vfs.meta().GetAttr(Ctx::Root(), dir));
    dir = a.parent;
  }
  return Err(ELOOP, "directory chain too deep");
}

Result<nlohmann::json> Clone(ControlCall& c) {
  if (!c.args().contains("src") || !c.args().contains("dst")) return Err(EINVAL, "missing src or dst");
  const std::string srcShown = c.args()["src"].get<std::string>(), dstShown = c.args()["dst"].get<std::string>();
  ASSIGN_OR_RETURN(auto srcPath, c.VolumePath(srcShown));
  ASSIGN_OR_RETURN(auto dstPath, c.VolumePath(dstShown));
  const bool preserve = c.args().value("preserve", false);
  ASSIGN_OR_RETURN(Located src, Locate(c, srcPath));
  auto dst = Locate(c, dstPath);
  if (dst) return Err(EEXIST, dstShown + " exists");
  if (!dst.error().is(ENOENT)) return Err(dst.error().WithContext(dstShown));
  ASSIGN_OR_RETURN(auto dcomps, SplitVolumePath(dstPath));
  if (dcomps.empty()) return Err(EEXIST, dstShown + " exists");
  std::string dstParentPath = dstPath.substr(0, dstPath.rfind('/'));
  if (dstParentPath.empty()) dstParentPath = "/";
  auto dp = c.fs().Resolve(dstParentPath, true);
  if (!dp) return Err(dp.error().WithContext(dstShown));
  if (dp->attr.type != FileType::kDir) return Err(ENOTDIR, dstShown + ": parent is not a directory");
  const Ino dstParent = dp->ino;
  const std::string dstName = dcomps.back();
  if (src.entry.attr.type == FileType::kDir) {
    ASSIGN_OR_RETURN(bool inside, Under(c.vfs(), dstParent, src.entry.ino));
    if (inside) return Err(EINVAL, "cannot clone " + srcShown + " into itself");
  }
  Cloner cl(c, preserve);
  const std::string tmp = TempName();
  Meta& m = c.vfs().meta();
  auto undo = [&](const Status& why) -> Result<nlohmann::json> {
    (void)m.RemoveTree(dstParent, tmp, nullptr);
    return Err(why);
  };
  auto top = cl.Node(src.entry.ino, src.entry.attr, dstParent, tmp);
  if (!top) return Err(top.error().WithContext(srcShown));
  if (src.entry.attr.type == FileType::kDir) {
    Status st = cl.Tree(src.entry.ino, *top);
    if (st.ok()) st = cl.FixDirs();
    if (!st.ok()) return undo(st.WithContext(srcShown));
  }
  Status rn = m.Rename(c.ctx(), dstParent, tmp, dstParent, dstName, kRenameNoReplace);
  if (!rn.ok()) return undo(rn.WithContext(dstShown));
  if (c.hooks().entryChanged) c.hooks().entryChanged(dstParent, dstName);
  const auto& s = cl.stats();
  c.Progress(ProgressRecord(s.total(), s.bytes), true);
  return nlohmann::json{{"files", s.files}, {"dirs", s.dirs}, {"symlinks", s.symlinks}, {"others", s.others},
                        {"bytes", s.bytes}};
}

}  // namespace

void RegisterClone(ControlRegistry& r) { r.Add("clone", Clone); }

}  // namespace slicefs::control
