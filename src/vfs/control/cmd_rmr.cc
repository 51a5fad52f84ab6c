// "rmr": removes trees fast, as the caller, like `rm -rf` would be allowed
// to: write+search on every directory that loses entries (and search on
// the way), the sticky-bit rule for each entry, read on each directory to
// list it. Nothing is removed unless the whole tree may be.
//
// With the trash on (trashDays > 0) and without skipTrash, a tree moves into
// this hour's trash directory as one entry "{parent}-{ino}-{name}" (one
// rename); otherwise it is removed for good in batched transactions
// (Meta::RemoveTree). skipTrash is for root only (EPERM), as in JuiceFS.
// args: {"paths": [...], "skipTrash": bool}; result: {"removed": entries,
// "trashed": entries moved into the trash}.
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>

#include "common/clock.h"
#include "vfs/control/command.h"
#include "meta/inode_flags.h"
#include "vfs/control/tree_walk.h"

namespace slicefs::control {
namespace {

Status Sticky(const Ctx& ctx, const Attr& dir, const Attr& child) {
  if (!(dir.mode & S_ISVTX) || ctx.isRoot() || ctx.uid == dir.uid || ctx.uid == child.uid) return Status::OK();
  return Status::Error(EACCES, "sticky directory: not the owner");
}

// Checks that ctx may remove everything below `dir` (an entry of the
// tree); returns the number of entries below it.
Result<uint64_t> CheckRemovable(ControlCall& c, Ino dir, const std::string& where, uint64_t done) {
  uint64_t n = 0;
  std::unordered_map<Ino, bool> checked;  // directories whose W|X was checked
  Status flagged = Status::OK();
  Status st = WalkTree(c, dir, [&](Ino parent, const Attr& pa, const DirEntry& e) -> Result<bool> {
    if (!checked.count(parent)) {
      Status a = c.vfs().Access(c.ctx(), parent, W_OK | X_OK);
      if (!a.ok()) return Err(EACCES, where + ": permission denied removing entries of a directory inside it");
      checked[parent] = true;
    }
    if (e.attr) {
      RETURN_IF_ERROR(Sticky(c.ctx(), pa, *e.attr));
      Status flags = CheckFlagsAllowDelete(pa, *e.attr);
      if (!flags.ok()) {
        flagged = Status::Error(EPERM, where + ": " + e.name + " inside it: " + flags.message());
        return Err(flagged);
      }
    }
    if (++n % 4096 == 0) c.Progress(ProgressRecord(done, 0, 0, "checked " + std::to_string(n)));
    return true;
  });
  if (!st.ok()) {
    if (!flagged.ok()) return Err(flagged);  // an immutable or append-only inode
    if (st.is(EACCES) || st.is(EPERM)) return Err(EACCES, where + ": " + st.message());
    return Err(st);
  }
  return n;
}

Result<nlohmann::json> Rmr(ControlCall& c) {
  ASSIGN_OR_RETURN(auto paths, c.VolumePaths("paths"));
  const bool skipTrash = c.args().value("skipTrash", false);
  if (skipTrash && !c.ctx().isRoot()) return Err(EPERM, "--skip-trash is for root only");
  Meta& meta = c.vfs().meta();
  const bool trashOn = meta.format().trashDays > 0 && !skipTrash;
  uint64_t removed = 0, trashed = 0;
  for (size_t i = 0; i < paths.size(); i++) {
    const std::string& shown = c.args()["paths"][i].get<std::string>();
    if (paths[i] == "/" || paths[i].empty()) return Err(EINVAL, shown + ": refusing to remove the mount's root");
    ASSIGN_OR_RETURN(Located l, Locate(c, paths[i]));
    if (l.parent == kRootIno && l.name == ".trash") return Err(EPERM, shown + ": the trash cannot be removed");
    ASSIGN_OR_RETURN(Attr pa, c.vfs().GetAttr(c.ctx(), l.parent));
    if (!c.vfs().Access(c.ctx(), l.parent, W_OK | X_OK).ok()) return Err(EACCES, shown + ": permission denied");
    Status sticky = Sticky(c.ctx(), pa, l.entry.attr);
    if (!sticky.ok()) return Err(EACCES, shown + ": " + sticky.message());
    Status flags = CheckFlagsAllowDelete(pa, l.entry.attr);
    if (!flags.ok()) return Err(EPERM, shown + ": " + flags.message());
    uint64_t below = 0;
    if (l.entry.attr.type == FileType::kDir) {
      ASSIGN_OR_RETURN(below, CheckRemovable(c, l.entry.ino, shown, removed + trashed));
    }
    const uint64_t total = below + 1;
    // A tree already inside the trash (or its own entries) is purged, not re-trashed.
    if (trashOn && !IsTrashDir(l.parent)) {
      ASSIGN_OR_RETURN(Ino hour, meta.TrashHourDir(WallNs()));
      Status st = meta.Rename(Ctx::Root(), l.parent, l.name, hour, TrashEntryName(l.parent, l.entry.ino, l.name),
                              kRenameNoReplace);
      if (!st.ok()) return Err(st.WithContext(shown));
      trashed += total;
    } else {
      const uint64_t base = removed + trashed;
      auto r = meta.RemoveTree(l.parent, l.name, [&](uint64_t n) {
        c.Progress(ProgressRecord(base + n, 0, base + total));
        return !c.Cancelled();
      });
      if (!r) {
        if (c.hooks().entryGone) c.hooks().entryGone(l.parent, l.name, l.entry.ino);
        return Err(r.error().WithContext(shown));
      }
      removed += *r;
    }
    if (c.hooks().entryGone) c.hooks().entryGone(l.parent, l.name, l.entry.ino);
    c.Progress(ProgressRecord(removed + trashed), true);
  }
  return nlohmann::json{{"removed", removed}, {"trashed", trashed}};
}

}  // namespace

void RegisterRmr(ControlRegistry& r) { r.Add("rmr", Rmr); }

}  // namespace slicefs::control
