// fsck: checks a volume's metadata invariants and that its objects exist
// (docs/architecture.md, "fsck"), and with `repair` fixes what can be fixed
// without losing data. It is a list of independent checks (fsck_checks.h),
// each in its own file, all reading one shared VolumeCensus (one scan of the
// engine); a new check is one function added to FsckChecks().
//
// Threading: RunFsck runs on the caller's thread plus up to opts.threads
// workers for object HEADs. Errors: an engine or listing error aborts the
// run (nothing is repaired after it); problems found are not errors, they
// are in the report.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/volume_format.h"
#include "kv/kv.h"
#include "object/object_store.h"
#include "vfs/census.h"

namespace slicefs {

struct FsckOptions {
  bool repair = false;
  int threads = 8;
  std::string path;  // non-empty: check only the objects of files under this path (HEAD)
  // Called with running totals (objects listed or HEADed, bytes).
  std::function<void(uint64_t objects, uint64_t bytes)> progress;
  std::function<void(uint64_t keys)> keyProgress;
};

struct FsckProblem {
  std::string check;    // "dir-nlink", "objects", ...
  Ino ino = 0;          // 0: not about one inode
  std::string message;  // what is wrong
  bool repaired = false;
  bool lostData = false;  // a file lost bytes (cannot be repaired)
};

struct FsckReport {
  std::vector<FsckProblem> problems;  // in the order found
  uint64_t inodes = 0, slices = 0, objects = 0, objectBytes = 0;
  // Facts worth knowing that are not problems (e.g. blocks staged by
  // `mount --writeback`, not uploaded yet): "check: message".
  std::vector<std::string> notes;
  int unrepaired() const;
};

// Shared state of one run, handed to every check.
class FsckRun {
 public:
  FsckRun(KvStore& kv, const VolumeFormat& fmt, ObjectStore* store, const FsckOptions& opts, VolumeCensus census)
      : kv(kv), fmt(fmt), store(store), opts(opts), census(std::move(census)) {}
  KvStore& kv;
  const VolumeFormat& fmt;
  ObjectStore* store;  // null: the object check is skipped
  const FsckOptions& opts;
  VolumeCensus census;
  FsckReport report;

  void Problem(std::string check, Ino ino, std::string message, bool repaired = false, bool lostData = false);
  void Note(const std::string& check, const std::string& message);
  // "/a/b/c" for ino, resolved through parent fields/records and entries;
  // "<ino N (unreachable)>" when it has no path.
  std::string PathOf(Ino ino);
  // The /lost+found directory, created on first use (repair only).
  Result<Ino> LostFound();

 private:
  std::mutex mu_;
  Ino lostFound_ = 0;
};

using FsckCheckFn = std::function<Status(FsckRun&)>;
struct FsckCheck {
  std::string name;
  FsckCheckFn fn;
};
// The checks in the order they run (fsck_checks.h).
const std::vector<FsckCheck>& FsckChecks();

// Runs every check. `store` may be null (metadata only).
Result<FsckReport> RunFsck(KvStore& kv, const VolumeFormat& fmt, ObjectStore* store, const FsckOptions& opts);

}  // namespace slicefs
