#include "vfs/fsck.h"

#include <chrono>

#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/dir_stats.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {

int FsckReport::unrepaired() const {
  int n = 0;
  for (const auto& p : problems) n += p.repaired ? 0 : 1;
  return n;
}

void FsckRun::Problem(std::string check, Ino ino, std::string message, bool repaired, bool lostData) {
  std::lock_guard lk(mu_);
  report.problems.push_back({std::move(check), ino, std::move(message), repaired, lostData});
}

void FsckRun::Note(const std::string& check, const std::string& message) {
  std::lock_guard lk(mu_);
  report.notes.push_back(check + ": " + message);
}

namespace {

constexpr char kLostFound[] = "lost+found";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The name under which `parent` lists `ino` (scans the directory).
Result<std::optional<std::string>> NameIn(KvTxn& tx, Ino parent, Ino ino) {
  std::optional<std::string> found;
  Status st = ScanPrefix(tx, keys::EntryPrefix(parent), 1000, [&](const KeyValue& kv) -> Status {
    if (found) return Status::OK();
    auto e = DecodeEntry(kv.value);
    if (e && e->ino == ino) {
      auto n = keys::EntryName(kv.key);
      if (n) found = std::string(*n);
    }
    return Status::OK();
  });
  if (!st.ok()) return Err(st);
  return found;
}

}  // namespace

std::string FsckRun::PathOf(Ino ino) {
  if (ino == kRootIno) return "/";
  std::string path;
  Ino cur = ino;
  Status st = kv.readOnly([&](KvTxn& tx) -> Status {
    path.clear();
    cur = ino;
    for (int depth = 0; depth < 4096 && cur != kRootIno; depth++) {
      if (cur == kTrashIno) {
        path = "/.trash" + path;
        return Status::OK();
      }
      ASSIGN_OR_RETURN(auto v, tx.get(keys::Attr(cur)));
      Ino parent = 0;
      if (v) {
        ASSIGN_OR_RETURN(Attr a, DecodeAttr(*v));
        parent = a.parent;
      }
      std::optional<std::string> name;
      if (parent != 0) {
        ASSIGN_OR_RETURN(name, NameIn(tx, parent, cur));
      }
      if (!name) {  // several links (or a stale parent field): try the parent records
        parent = 0;
        RETURN_IF_ERROR(ScanPrefix(tx, keys::ParentPrefix(cur), 100, [&](const KeyValue& kv) -> Status {
          if (name) return Status::OK();
          auto p = keys::ParentOf(kv.key);
          if (!p) return Status::OK();
          ASSIGN_OR_RETURN(name, NameIn(tx, *p, cur));
          if (name) parent = *p;
          return Status::OK();
        }));
      }
      if (!name) return Status::NotFound("unreachable");
      path = "/" + *name + path;
      cur = parent;
    }
    return cur == kRootIno ? Status::OK() : Status::NotFound("too deep");
  });
  if (!st.ok()) return "<ino " + std::to_string(ino) + (path.empty() ? "" : " ..." + path) + " (unreachable)>";
  return path;
}

Result<Ino> FsckRun::LostFound() {
  {
    std::lock_guard lk(mu_);
    if (lostFound_) return lostFound_;
  }
  Ino result = 0;
  // Reserve one inode number the way clients reserve batches: bump the counter.
  Ino fresh = 0;
  RETURN_IF_ERROR(kv.txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Counter(keys::kNextInode)));
    fresh = v ? static_cast<Ino>(DecodeCounter(*v)) : 2;
    tx.put(keys::Counter(keys::kNextInode), EncodeCounter(static_cast<int64_t>(fresh + 1)));
    return Status::OK();
  }));
  RETURN_IF_ERROR(kv.txn([&](KvTxn& tx) -> Status {
    result = 0;
    ASSIGN_OR_RETURN(auto e, tx.get(keys::Entry(kRootIno, kLostFound)));
    if (e) {
      ASSIGN_OR_RETURN(EntryValue ev, DecodeEntry(*e));
      if (ev.type != FileType::kDir) return Status::Error(EEXIST, "/lost+found exists and is not a directory");
      result = ev.ino;
      return Status::OK();
    }
    const int64_t now = NowNs();
    Attr d;
    d.type = FileType::kDir;
    d.mode = 0700;
    d.nlink = 2;
    d.length = 4096;
    d.atimeNs = d.mtimeNs = d.ctimeNs = now;
    d.parent = kRootIno;
    ASSIGN_OR_RETURN(auto rv, tx.get(keys::Attr(kRootIno)));
    if (!rv) return Status::IOError("the root inode is missing");
    ASSIGN_OR_RETURN(Attr root, DecodeAttr(*rv));
    root.nlink++;
    root.mtimeNs = root.ctimeNs = now;
    tx.put(keys::Attr(kRootIno), EncodeAttr(root));
    tx.put(keys::Attr(fresh), EncodeAttr(d));
    tx.put(keys::Entry(kRootIno, kLostFound), EncodeEntry(FileType::kDir, fresh));
    RETURN_IF_ERROR(AddDirStatInTxn(tx, kRootIno, ChildStat(FileType::kDir, 0)));
    ASSIGN_OR_RETURN(auto ti, tx.get(keys::Counter(keys::kTotalInodes)));
    tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter((ti ? DecodeCounter(*ti) : 0) + 1));
    result = fresh;
    return Status::OK();
  }));
  std::lock_guard lk(mu_);
  lostFound_ = result;
  return result;
}

const std::vector<FsckCheck>& FsckChecks() {
  // Order matters for repair: dangling entries go first (they would count as
  // links), orphans next (they gain a link in /lost+found), the counters
  // last (lost+found adds an inode).
  static const std::vector<FsckCheck> checks = {
      {"entries", FsckCheckEntries},     {"orphans", FsckCheckOrphans}, {"dir-nlink", FsckCheckDirLinks},
      {"file-links", FsckCheckFileLinks}, {"slice-refs", FsckCheckSliceRefs}, {"usage", FsckCheckUsage},
      {"dir-stats", FsckCheckDirStats}, {"objects", FsckCheckObjects},
      {"acl-refs", FsckCheckAclRefs},
  };
  return checks;
}

Result<FsckReport> RunFsck(KvStore& kv, const VolumeFormat& fmt, ObjectStore* store, const FsckOptions& opts) {
  ASSIGN_OR_RETURN(VolumeCensus census, TakeCensus(kv, opts.keyProgress));
  FsckRun run(kv, fmt, store, opts, std::move(census));
  run.report.inodes = run.census.inodes.size();
  run.report.slices = run.census.counts.size();
  for (const auto& c : FsckChecks()) {
    Status st = c.fn(run);
    if (!st.ok()) return Err(st.WithContext("fsck " + c.name));
  }
  return std::move(run.report);
}

}  // namespace slicefs
