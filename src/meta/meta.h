// Filesystem metadata over the key schema (docs/formats.md), written once
// against KvStore. Every namespace operation is one KV transaction, so it is
// atomic across all clients of the volume.
//
// Threading: a Meta is thread-safe; many FUSE worker threads call it at once.
// Errors: errno-style Status codes with Linux semantics (ENOENT, EEXIST,
// ENOTDIR, EISDIR, ENOTEMPTY, EACCES, EPERM, EINVAL, ENAMETOOLONG, ELOOP,
// EXDEV, ENOSPC, EDQUOT, ENODATA, ERANGE, E2BIG, EROFS, EIO, ...).
// Every call that takes a Ctx checks permissions for those credentials.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"
#include "common/volume_format.h"
#include "meta/tree_stats.h"
#include "meta/types.h"

namespace slicefs {

// Bits for Meta::SetAttr's `toSet`.
enum SetAttrMask : uint32_t {
  kSetMode = 1 << 0,
  kSetUid = 1 << 1,
  kSetGid = 1 << 2,
  kSetAtime = 1 << 3,     // to attr.atimeNs
  kSetMtime = 1 << 4,     // to attr.mtimeNs
  kSetAtimeNow = 1 << 5,
  kSetMtimeNow = 1 << 6,
  kSetCtime = 1 << 7,     // to attr.ctimeNs (kernel-provided)
  kSetFlags = 1 << 8,     // to attr.flags (chattr; root only for i/a; inode_flags.h)
};

// Flags for Meta::Rename (values match Linux renameat2).
inline constexpr uint32_t kRenameNoReplace = 1;
inline constexpr uint32_t kRenameExchange = 2;

// Flags for Meta::SetXattr (values match Linux).
inline constexpr int kXattrCreate = 1;
inline constexpr int kXattrReplace = 2;

// Modes for Meta::Fallocate (values match Linux).
inline constexpr int kFallocKeepSize = 0x01;
inline constexpr int kFallocPunchHole = 0x02;
inline constexpr int kFallocZeroRange = 0x10;

struct MetaOptions {
  bool readOnly = false;
  int heartbeatSec = 12;        // session heartbeat; expiry is 5x this
  uint32_t sliceIdBatch = 1000; // ids reserved per counter bump
  uint32_t inodeBatch = 100;
  int usageFlushMs = 1000;      // how often usage deltas are flushed
};

struct SessionInfo {
  std::string hostname;
  std::string mountPoint;
  uint32_t processId = 0;
  std::string version;
  bool readOnly = false;  // listed only: NewSession records MetaOptions::readOnly
  // A network service's session (src/service/): its kind ("webdav",
  // "gateway") and the address it serves at. Empty for a mount.
  std::string kind = {};
  std::string address = {};
};

struct SessionRecord {
  uint64_t sid = 0;
  int64_t expireSec = 0;        // unix seconds
  int64_t lastHeartbeatSec = 0; // unix seconds of the last heartbeat (0: unknown)
  SessionInfo info;
  std::string infoJson;         // the raw SI value
};

class Meta {
 public:
  virtual ~Meta() = default;

  // Writes the `setting` key and the root (and trash) inodes. Refuses with
  // EEXIST when the engine already holds a volume, unless force (which keeps
  // the existing data and only rewrites the format after checking the name
  // and UUID match).
  static Status Format(KvStore& kv, const VolumeFormat& fmt, bool force);
  // Reads the format without opening the volume (status, mount checks).
  // ENOENT with "volume not formatted" when there is none.
  static Result<VolumeFormat> LoadFormat(KvStore& kv);
  // Opens a formatted volume. Takes ownership of kv.
  static Result<std::unique_ptr<Meta>> Open(std::unique_ptr<KvStore> kv, const MetaOptions& opts);

  virtual const VolumeFormat& format() const = 0;
  virtual KvStore& kv() = 0;

  // ---- sessions --------------------------------------------------------
  // Registers this client (read-only clients too); starts the heartbeat
  // and background workers. Files opened in a session are recorded in the
  // engine, so an unlink by any client keeps them until closed here.
  virtual Status NewSession(const SessionInfo& info) = 0;
  // Flushes counters, releases this session's locks and open files
  // (destroying those unlinked meanwhile), removes the session. Idempotent.
  virtual Status CloseSession() = 0;
  virtual uint64_t sessionId() const = 0;
  virtual Result<std::vector<SessionRecord>> ListSessions() = 0;
  // Removes sessions whose heartbeat expired: their locks and open-file
  // records, destroying files unlinked while they held them open that no
  // other session holds. Returns how many were cleaned.
  virtual Result<int> CleanStaleSessions() = 0;

  // ---- namespace -------------------------------------------------------
  virtual Result<StatFsInfo> StatFs(const Ctx& ctx, Ino ino) = 0;
  virtual Result<Entry> Lookup(const Ctx& ctx, Ino parent, std::string_view name) = 0;
  virtual Result<Attr> GetAttr(const Ctx& ctx, Ino ino) = 0;
  // Changes the fields chosen by `toSet` (SetAttrMask); size changes go
  // through Truncate. Applies Linux rules (only owner/root chmod; chown only
  // by root; sgid/suid clearing; utimes permission rules).
  virtual Result<Attr> SetAttr(const Ctx& ctx, Ino ino, uint32_t toSet, const Attr& in) = 0;
  // Creates a node of any non-directory type. `mode` has type and permission
  // bits (S_IFREG|0644 etc.); `cumask` is applied to the permission bits.
  virtual Result<Entry> Mknod(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                              uint32_t cumask, uint32_t rdev) = 0;
  virtual Result<Entry> Mkdir(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                              uint32_t cumask) = 0;
  // Mknod of a regular file plus Open in one step (O_CREAT). With O_EXCL an
  // existing name gives EEXIST; otherwise an existing file is opened.
  virtual Result<Entry> Create(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                               uint32_t cumask, int openFlags) = 0;
  virtual Status Unlink(const Ctx& ctx, Ino parent, std::string_view name) = 0;
  virtual Status Rmdir(const Ctx& ctx, Ino parent, std::string_view name) = 0;
  virtual Status Rename(const Ctx& ctx, Ino srcParent, std::string_view srcName, Ino dstParent,
                        std::string_view dstName, uint32_t flags) = 0;
  virtual Result<Entry> Link(const Ctx& ctx, Ino ino, Ino newParent, std::string_view newName) = 0;
  virtual Result<Entry> Symlink(const Ctx& ctx, Ino parent, std::string_view name,
                                std::string_view target) = 0;
  virtual Result<std::string> Readlink(const Ctx& ctx, Ino ino) = 0;

  // Entries of `dir` whose names sort after `after` ("" = from the start),
  // at most `limit`, in name order. "." and ".." are not included (the caller
  // adds them). With plus, each entry's attributes are filled. Checks read
  // permission on the directory.
  virtual Result<std::vector<DirEntry>> Readdir(const Ctx& ctx, Ino dir, std::string_view after,
                                                size_t limit, bool plus) = 0;

  // Checks access for open flags (O_RDONLY/O_WRONLY/O_RDWR, O_TRUNC) and
  // registers the open so an unlinked file (by this or any other client of
  // the volume) survives until its last Close in every session holding it;
  // without a session (NewSession) only unlinks by this client are seen.
  virtual Result<Attr> Open(const Ctx& ctx, Ino ino, int flags) = 0;
  virtual Status Close(Ino ino) = 0;
  // access(2)-style check; mask of R_OK/W_OK/X_OK.
  virtual Status Access(const Ctx& ctx, Ino ino, int mask) = 0;

  // ---- xattrs ----------------------------------------------------------
  virtual Result<std::string> GetXattr(const Ctx& ctx, Ino ino, std::string_view name) = 0;
  virtual Status SetXattr(const Ctx& ctx, Ino ino, std::string_view name, std::string_view value,
                          int flags) = 0;
  virtual Result<std::vector<std::string>> ListXattr(const Ctx& ctx, Ino ino) = 0;
  virtual Status RemoveXattr(const Ctx& ctx, Ino ino, std::string_view name) = 0;

  // ---- data mapping ----------------------------------------------------
  // A new globally unique slice id (ids are reserved from `nextChunk` in
  // batches of MetaOptions::sliceIdBatch).
  virtual Result<uint64_t> NewSliceId() = 0;
  // The slice records of chunk `index` of `ino`, in write order.
  virtual Result<std::vector<SliceRecord>> ReadChunk(Ino ino, uint32_t index) = 0;
  // Appends `rec` to chunk `index`, sets length = max(length, index*64Mi +
  // rec.pos + rec.len), mtime/ctime = mtimeNs, and takes a reference on the
  // slice. One transaction. ENOENT if the inode is gone.
  virtual Status WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t mtimeNs) = 0;
  // Sets the file length; shrinking drops (or cuts) slice records past it,
  // growing leaves a hole. Checks write permission unless ctx is null-like
  // (called on an open handle: pass checkPerm=false).
  virtual Result<Attr> Truncate(const Ctx& ctx, Ino ino, uint64_t length, bool checkPerm) = 0;
  // fallocate(2): reserve (extend length unless kFallocKeepSize), punch a
  // hole, or zero a range. Others: EOPNOTSUPP.
  virtual Status Fallocate(const Ctx& ctx, Ino ino, int mode, uint64_t off, uint64_t len) = 0;
  // Copies the slice records of [offIn, offIn+len) of inoIn to offOut of
  // inoOut (no data is copied; slices gain references). Returns bytes copied.
  virtual Result<uint64_t> CopyFileRange(const Ctx& ctx, Ino inoIn, uint64_t offIn, Ino inoOut,
                                         uint64_t offOut, uint64_t len) = 0;
  // Replaces the chunk's records `expected` with `replacement` (compaction)
  // iff the current records still begin with `expected`; records appended
  // after them are kept after `replacement`. ECANCELED if the chunk changed
  // otherwise (e.g. truncated) meanwhile.
  // References of slices no longer used are dropped.
  virtual Status CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                              const std::vector<SliceRecord>& replacement) = 0;
  // Registers the function that deletes a slice's objects.
  virtual void SetSliceDeleter(SliceDeleter deleter) = 0;

  // ---- locks (owner identifies the lock holder within this session) -----
  // BSD flock: type F_RDLCK, F_WRLCK or F_UNLCK. Non-blocking unless block;
  // blocking waits (polling the engine) and returns EINTR if interrupted.
  virtual Status Flock(const Ctx& ctx, Ino ino, uint64_t owner, int type, bool block) = 0;
  // POSIX record locks over [start, end] inclusive (end = UINT64_MAX: to EOF).
  // Getlk fills *type (F_UNLCK if none conflicts), *start, *end, *pid.
  virtual Status Getlk(const Ctx& ctx, Ino ino, uint64_t owner, int* type, uint64_t* start,
                       uint64_t* end, uint32_t* pid) = 0;
  virtual Status Setlk(const Ctx& ctx, Ino ino, uint64_t owner, bool block, int type,
                       uint64_t start, uint64_t end, uint32_t pid) = 0;
  // Interrupts blocked Flock/Setlk calls of `owner` (FUSE interrupt).
  virtual void InterruptLock(uint64_t owner) = 0;

  // ---- maintenance: background work, run now (tools, tests) ------------
  // Writes this client's accumulated usedSpace/totalInodes deltas.
  virtual Status FlushUsage() = 0;
  // Removes the data of deleted files (D records) and calls the deleter for
  // slices whose last reference went away. Does nothing without a deleter.
  // Returns the number of files finished.
  virtual Result<int> ProcessDeletions() = 0;
  // Removes the open-file records of files this session closed since the
  // last call (the deferred part of Close), destroying those left unlinked.
  virtual Status FlushClosedFiles() = 0;
  // Purges trash entries older than trashDays (by their ctime) at `nowNs`.
  // Returns how many were purged.
  virtual Result<int> CleanTrash(int64_t nowNs) = 0;
  // Trash entries CleanTrash(nowNs) would purge: how many and their bytes
  // (file lengths), without changing anything (gc's report).
  struct TrashUsage {
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  virtual Result<TrashUsage> ExpiredTrash(int64_t nowNs) = 0;
  // ---- trees and the hourly trash (rmr, clone, restore; #12 item 6) ----
  // The trash keeps one directory per hour, ".trash/YYYY-MM-DD-HH" (UTC);
  // removed entries go there as "{parentIno}-{ino}-{name}" (docs/formats.md).
  // The hour directory for `nowNs`, created if missing. Returns its inode.
  virtual Result<Ino> TrashHourDir(int64_t nowNs) = 0;
  // Removes the tree `name` in `parent` (a file, or a directory with
  // everything below it) for good: bottom-up, up to ~1000 entries per
  // transaction, no trash, no permission checks (callers check first).
  // progress(removedSoFar) runs after each transaction; returning false
  // stops (entries removed so far stay removed: ECANCELED). Returns the
  // number of entries removed.
  virtual Result<uint64_t> RemoveTree(Ino parent, std::string_view name,
                                      const std::function<bool(uint64_t)>& progress) = 0;
  // Copies file `src` to a new file `name` in `parent` in one transaction:
  // attributes (owner = ctx unless preserve; mode and times kept), xattrs
  // and chunk records, each slice gaining a reference (no data copied).
  // Checks read on src and write+search on parent. EEXIST if name exists.
  virtual Result<Entry> CloneFile(const Ctx& ctx, Ino src, Ino parent, std::string_view name,
                                  bool preserve) = 0;

  // This client's usage deltas not yet flushed.
  virtual int64_t pendingSpace() const = 0;
  virtual int64_t pendingInodes() const = 0;

  // ---- per-directory stats, directory quotas, summaries (tree_stats.h) ----
  // FlushUsage also writes the dir-stat and quota deltas and rereads the
  // quotas (dir_stats.h). Directory arguments: ENOENT / ENOTDIR.
  // The stats of dir's direct children: engine value plus this client's
  // unflushed deltas.
  virtual Result<DirStat> GetDirStat(Ino dir) = 0;
  // Recomputes dir's stats from its entries (reads each child's
  // attributes). With repair, writes them (one transaction, which also
  // drops this client's pending delta of dir). Returns the recomputed stats.
  virtual Result<DirStat> RecomputeDirStat(Ino dir, bool repair) = 0;
  // Creates or changes the quota of dir; an unset limit keeps its old value
  // (0 = no limit). A new quota's usage is computed from the dir stats of
  // the subtree. EINVAL for the root's parent chain oddities (none) or the
  // trash.
  virtual Status SetQuota(Ino dir, std::optional<uint64_t> maxSpace, std::optional<uint64_t> maxInodes) = 0;
  // The quota of dir (engine + this client's unflushed usage), nullopt if none.
  virtual Result<std::optional<Quota>> GetQuota(Ino dir) = 0;
  virtual Status DeleteQuota(Ino dir) = 0;  // ENOENT when there is none
  virtual Result<std::vector<std::pair<Ino, Quota>>> ListQuotas() = 0;
  // The usage of dir's subtree (dir itself not counted) from the dir stats
  // of every directory below; with strict, each directory's stats are
  // recomputed from its entries instead (and written, with repairStats).
  virtual Result<DirStat> TreeUsage(Ino dir, bool strict, bool repairStats) = 0;
  // Sets a quota's usage figures (quota check --repair). ENOENT: no quota.
  virtual Status SetQuotaUsage(Ino dir, int64_t space, int64_t inodes) = 0;
  // Sizes and counts of dir's tree. Reads the entry list and stats key of
  // every directory below dir and never a file's attributes.
  virtual Result<SummaryNode> Summarize(Ino dir, int depth, int entries) = 0;
  // EDQUOT if growing file ino to newLength (from its committed length)
  // would pass a space quota of a directory above it, ENOSPC if it would
  // pass the volume capacity. The write(2) path calls it before buffering
  // data; a no-op while the volume has neither a quota nor a capacity.
  virtual Status CheckWriteQuota(Ino ino, uint64_t newLength) = 0;
};

}  // namespace slicefs
