// MetaImpl: the one implementation of Meta over KvStore. This header holds
// the helpers every operation uses; each operation lives in its own op_*.cc
// file. The client's in-memory state lives in components, each with its own
// lock and contract: IdAllocator, UsageCounters, OpenFileTable,
// SessionState, LockWaiters, DeleterHook (lock order: docs/architecture.md,
// "Lock order of the metadata client").
//
// Threading: all public methods are thread-safe. The components' mutexes
// are never held across a KV transaction except where their headers say.
// Every namespace operation is exactly one KvStore::txn whose function may
// be retried, so those functions only touch the transaction and reset their
// own outputs; in-memory effects are applied after the commit.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "kv/scan.h"
#include "meta/acl.h"
#include "meta/attr_codec.h"
#include "meta/deleter_hook.h"
#include "meta/dir_stats.h"
#include "meta/id_allocator.h"
#include "meta/lock_waiters.h"
#include "meta/open_file_table.h"
#include "meta/session_state.h"
#include "meta/usage_counters.h"
#include "meta/keys.h"
#include "meta/meta.h"
#include "meta/slice_codec.h"

// Like RETURN_IF_ERROR, but usable in functions returning Result<T> too.
#define META_TRY(expr)                                      \
  do {                                                      \
    ::slicefs::Status _meta_st = (expr);                    \
    if (!_meta_st.ok()) return ::slicefs::Err(std::move(_meta_st)); \
  } while (0)

namespace slicefs {

// Side effects of a transaction, applied after it commits.
struct TxnEffects {
  int64_t spaceDelta = 0;
  int64_t inodeDelta = 0;
  bool deletedData = false;            // a D{ino} record was written
  // (sid, ino): SS{sid}{ino} written for a file unlinked while open here
  // but not recorded yet (a sessionless client, or opened before the session)
  std::vector<std::pair<uint64_t, Ino>> keptOpen;
  std::vector<std::pair<uint64_t, uint32_t>> freedSlices;  // refcount hit 0
  // Per-directory stat deltas (and through them quota usage), dir_stats.h.
  std::vector<std::pair<Ino, DirStat>> dirDeltas;
  std::vector<std::pair<Ino, Ino>> movedDirs;  // (dir, new parent) for the ancestry cache
  struct TreeMove {
    Ino dir;
    std::vector<Ino> from, to;  // quota roots left and entered
  };
  std::vector<TreeMove> treeMoves;  // directories moved into/out of the trash under quotas
  void Dir(Ino dir, const DirStat& d) {
    if (!d.zero()) dirDeltas.emplace_back(dir, d);
  }
  void Reset() { *this = TxnEffects{}; }
};

class MetaImpl final : public Meta {
 public:
  MetaImpl(std::unique_ptr<KvStore> kv, VolumeFormat fmt, const MetaOptions& opts);
  ~MetaImpl() override;

  const VolumeFormat& format() const override { return fmt_; }
  KvStore& kv() override { return *kv_; }

  Status NewSession(const SessionInfo& info) override;
  Status CloseSession() override;
  uint64_t sessionId() const override { return session_.id(); }
  Result<std::vector<SessionRecord>> ListSessions() override;
  Result<int> CleanStaleSessions() override;

  Result<StatFsInfo> StatFs(const Ctx& ctx, Ino ino) override;
  Result<Entry> Lookup(const Ctx& ctx, Ino parent, std::string_view name) override;
  Result<Attr> GetAttr(const Ctx& ctx, Ino ino) override;
  Result<Attr> SetAttr(const Ctx& ctx, Ino ino, uint32_t toSet, const Attr& in) override;
  Result<Entry> Mknod(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask,
                      uint32_t rdev) override;
  Result<Entry> Mkdir(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask) override;
  Result<Entry> Create(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask,
                       int openFlags) override;
  Status Unlink(const Ctx& ctx, Ino parent, std::string_view name) override;
  Status Rmdir(const Ctx& ctx, Ino parent, std::string_view name) override;
  Status Rename(const Ctx& ctx, Ino srcParent, std::string_view srcName, Ino dstParent, std::string_view dstName,
                uint32_t flags) override;
  Result<Entry> Link(const Ctx& ctx, Ino ino, Ino newParent, std::string_view newName) override;
  Result<Entry> Symlink(const Ctx& ctx, Ino parent, std::string_view name, std::string_view target) override;
  Result<std::string> Readlink(const Ctx& ctx, Ino ino) override;
  Result<std::vector<DirEntry>> Readdir(const Ctx& ctx, Ino dir, std::string_view after, size_t limit,
                                        bool plus) override;
  Result<Attr> Open(const Ctx& ctx, Ino ino, int flags) override;
  Status Close(Ino ino) override;
  Status Access(const Ctx& ctx, Ino ino, int mask) override;

  Result<std::string> GetXattr(const Ctx& ctx, Ino ino, std::string_view name) override;
  Status SetXattr(const Ctx& ctx, Ino ino, std::string_view name, std::string_view value, int flags) override;
  Result<std::vector<std::string>> ListXattr(const Ctx& ctx, Ino ino) override;
  Status RemoveXattr(const Ctx& ctx, Ino ino, std::string_view name) override;

  Result<uint64_t> NewSliceId() override;
  Result<std::vector<SliceRecord>> ReadChunk(Ino ino, uint32_t index) override;
  Status WriteSlice(Ino ino, uint32_t index, const SliceRecord& rec, int64_t mtimeNs) override;
  Result<Attr> Truncate(const Ctx& ctx, Ino ino, uint64_t length, bool checkPerm) override;
  Status Fallocate(const Ctx& ctx, Ino ino, int mode, uint64_t off, uint64_t len) override;
  Result<uint64_t> CopyFileRange(const Ctx& ctx, Ino inoIn, uint64_t offIn, Ino inoOut, uint64_t offOut,
                                 uint64_t len) override;
  Status CompactChunk(Ino ino, uint32_t index, const std::vector<SliceRecord>& expected,
                      const std::vector<SliceRecord>& replacement) override;
  void SetSliceDeleter(SliceDeleter deleter) override;

  Status Flock(const Ctx& ctx, Ino ino, uint64_t owner, int type, bool block) override;
  Status Getlk(const Ctx& ctx, Ino ino, uint64_t owner, int* type, uint64_t* start, uint64_t* end,
               uint32_t* pid) override;
  Status Setlk(const Ctx& ctx, Ino ino, uint64_t owner, bool block, int type, uint64_t start, uint64_t end,
               uint32_t pid) override;
  void InterruptLock(uint64_t owner) override;

  // ---- maintenance (meta.h) ----
  Status FlushUsage() override;
  Result<int> ProcessDeletions() override;
  Status FlushClosedFiles() override;
  Result<int> CleanTrash(int64_t nowNs) override;
  Result<TrashUsage> ExpiredTrash(int64_t nowNs) override;
  Result<Ino> TrashHourDir(int64_t nowNs) override;
  Result<uint64_t> RemoveTree(Ino parent, std::string_view name,
                              const std::function<bool(uint64_t)>& progress) override;
  Result<Entry> CloneFile(const Ctx& ctx, Ino src, Ino parent, std::string_view name, bool preserve) override;
  int64_t pendingSpace() const override { return usage_.pendingSpace(); }
  int64_t pendingInodes() const override { return usage_.pendingInodes(); }

  // ---- per-directory stats and quotas (meta.h; op_dir_stats.cc, op_quota.cc) ----
  Result<DirStat> GetDirStat(Ino dir) override;
  Result<DirStat> RecomputeDirStat(Ino dir, bool repair) override;
  Status SetQuota(Ino dir, std::optional<uint64_t> maxSpace, std::optional<uint64_t> maxInodes) override;
  Result<std::optional<Quota>> GetQuota(Ino dir) override;
  Status DeleteQuota(Ino dir) override;
  Result<std::vector<std::pair<Ino, Quota>>> ListQuotas() override;
  Result<DirStat> TreeUsage(Ino dir, bool strict, bool repairStats) override;
  Status SetQuotaUsage(Ino dir, int64_t space, int64_t inodes) override;
  Result<SummaryNode> Summarize(Ino dir, int depth, int entries) override;
  Status CheckWriteQuota(Ino ino, uint64_t newLength) override;
  // What one entry naming `a` adds to its directory's stats.
  static DirStat StatOf(const Attr& a);
  // The directories holding links of a non-directory inode, with the
  // number of links in each (attr.parent, or the P records).
  static Result<std::vector<std::pair<Ino, int64_t>>> ParentsOf(KvTxn& tx, Ino ino, const Attr& a);
  // A file changed length from `before` to `after` inside tx: usedSpace
  // delta and capacity check, dir-stat deltas of every parent, and (with
  // checkQuota) the quota check of the growth.
  Status ChargeResize(KvTxn& tx, Ino ino, const Attr& before, const Attr& after, TxnEffects& fx,
                      bool checkQuota);
  // The quota roots at and above dir (nearest first); empty while the volume
  // has no quota. With tx, missing ancestry is read in it, else in its own
  // read-only transaction.
  Result<std::vector<Ino>> QuotaRoots(Ino dir, KvTxn* tx);
  // Quota rules of a rename between two directories (inside its tx): a
  // directory moving between different sets of quota roots fails EXDEV
  // (rename(2)'s "not the same filesystem"; mv copies instead); a file
  // moving into quotas it was not under is checked (EDQUOT). `da`: the
  // target being exchanged or replaced.
  // Exception: a directory moving into or out of the trash (rmr, restore)
  // moves its subtree's usage between the quotas (fx.treeMoves, counted
  // from the dir stats after the commit, not checked against limits).
  Status CheckRenameQuotas(KvTxn& tx, Ino src, const Attr& sa, const Attr* da, bool exchange, Ino sp, Ino dp,
                           TxnEffects& fx);
  // statfs of a directory under a quota: the nearest quota's limits and
  // usage replace the volume's figures in st.
  Status QuotaStatFs(Ino ino, StatFsInfo& st);
  // EDQUOT check of adding space/inodes under dir.
  Status CheckQuota(Ino dir, int64_t space, int64_t inodes, KvTxn* tx);

  // ---- helpers shared by the op_*.cc files ----
  static int64_t NowNs();
  static int64_t SpaceOf(const Attr& a);  // bytes charged to usedSpace
  Status CheckWritable() const;           // EROFS in read-only mode
  static Status CheckName(std::string_view name);  // EINVAL / ENAMETOOLONG
  // EACCES (EPERM for writing an immutable inode); honours the inode's
  // access ACL (read in tx) when it has one.
  static Status CheckAccess(KvTxn& tx, const Ctx& ctx, const Attr& a, int mask);
  // EPERM if a sticky `dir` forbids ctx removing/renaming `child`.
  static Status CheckSticky(const Ctx& ctx, const Attr& dir, const Attr& child);

  static Result<std::optional<Attr>> LoadAttr(KvTxn& tx, Ino ino);
  static Result<Attr> MustAttr(KvTxn& tx, Ino ino);  // ENOENT when absent
  static void SaveAttr(KvTxn& tx, Ino ino, const Attr& a);
  static Result<std::optional<EntryValue>> LoadEntry(KvTxn& tx, Ino parent, std::string_view name);
  // A directory's attributes for a namespace change: ENOENT/ENOTDIR, and
  // W|X permission for ctx.
  static Result<Attr> LoadDirForChange(KvTxn& tx, const Ctx& ctx, Ino dir);
  // True if the directory has no entries.
  static Result<bool> DirIsEmpty(KvTxn& tx, Ino dir);

  Result<Ino> AllocInode();
  Status CheckSpace(int64_t delta);  // ENOSPC against capacity
  Status CheckInodes(int64_t delta); // ENOSPC against the inode limit
  void Apply(const TxnEffects& fx);  // after a commit
  void ApplyDirDeltas(const TxnEffects& fx);  // dir stats, quota usage, ancestry cache

  bool IsOpen(Ino ino);  // open in this client (any handle)
  // Drops one link `name` -> child from `parent` inside tx: nlink and parent
  // records, the trash, open-unlinked bookkeeping, and final removal.
  // parentAttr is updated (mtime/ctime) and saved by the caller.
  // mayTrash=false: never into the trash (purges, RemoveTree). sids: the
  // registered sessions when the caller read them already in tx (batches).
  Status DropLink(KvTxn& tx, Ino parent, std::string_view name, Ino ino, Attr& child, int64_t now,
                  TxnEffects& fx, bool mayTrash = true, const std::vector<uint64_t>* sids = nullptr);
  // ---- the hourly trash (trash.cc) ----
  // The hour directory for `now` inside tx, created (fixed inode
  // TrashHourIno) when missing.
  Result<Ino> TrashHourInTxn(KvTxn& tx, int64_t now, TxnEffects& fx);
  // True if the trash entry `e` (an hour directory, or an older flat
  // entry) is past trashDays at nowNs (CleanTrash and ExpiredTrash).
  bool TrashExpired(const DirEntry& e, int64_t nowNs) const;
  // Takes the purge lease (one purging client per volume); false if another
  // client holds it.
  Result<bool> TakePurgeLease(int64_t nowSec, bool release);
  // Deletes every key of an inode with no links left; file data goes to a
  // D{ino}{length} record for the deletion worker.
  Status DestroyInode(KvTxn& tx, Ino ino, const Attr& a, TxnEffects& fx);
  // Adds `delta` to slice id's reference count; a count reaching 0 is
  // deleted and reported in fx.freedSlices (or kept at 0 without a deleter).
  Status AddSliceRef(KvTxn& tx, uint64_t id, uint32_t size, int64_t delta, TxnEffects& fx);
  // ---- POSIX ACLs (acl_store.cc, acl_xattr.cc; rules in meta/acl.h) ----
  // The stored rule `id` (EIO if missing: a dangling reference).
  static Result<acl::Acl> LoadAclRule(KvTxn& tx, uint32_t id);
  // The id of a stored rule equal to `rule`, created if none; takes one
  // reference (RC{id} + 1).
  static Result<uint32_t> InternAcl(KvTxn& tx, const acl::Acl& rule);
  // Adds delta references to rule id (0: nothing); the last one removes it.
  static Status AddAclRef(KvTxn& tx, uint32_t id, int64_t delta);
  // Both rules of an inode gain (delta 1: clone) or lose (-1: destroy) a reference.
  static Status RefAcls(KvTxn& tx, const Attr& a, int64_t delta);
  // The ACL xattrs (system.posix_acl_access/default): their value, a set
  // (updating mode and rule ids in a, which the caller saves) and a removal.
  Result<std::string> GetAclXattr(KvTxn& tx, const Attr& a, std::string_view name);
  Status SetAclXattr(KvTxn& tx, const Ctx& ctx, Attr& a, std::string_view name, std::string_view value,
                     int flags);
  Status RemoveAclXattr(KvTxn& tx, const Ctx& ctx, Attr& a, std::string_view name);
  // Inheritance at create: the parent's default ACL applied to a (mode and
  // rule ids), or the umask when the parent has none.
  static Status InheritAcl(KvTxn& tx, const Attr& parent, Attr& a, uint32_t mode, uint32_t cumask);

  // Common body of Mknod/Mkdir/Create/Symlink.
  Result<Entry> CreateNode(const Ctx& ctx, Ino parent, std::string_view name, FileType type, uint32_t mode,
                           uint32_t cumask, uint32_t rdev, std::string_view target, int openFlags);
  // Counts a handle of ino in this client; `recorded`: the transaction that
  // opened it wrote this session's SS{sid}{ino}.
  void RegisterOpen(Ino ino, bool recorded = false);
  // Takes a handle of ino if this session already records it (SS present);
  // false otherwise.
  bool ReserveRecorded(Ino ino);
  // Serializes, per inode, the first open of a session with the removal of
  // its record (never held by other code across transactions).
  // Removes this session's records of the given inodes if they are still
  // closed here, destroying inodes with nlink 0 nobody else holds.
  Status FinishClosed(std::vector<Ino> inos);
  // (sid, expiry in unix seconds) of every registered session (SE keys),
  // read inside tx.
  static Result<std::vector<std::pair<uint64_t, int64_t>>> SessionExpiries(KvTxn& tx);
  // The ids of all registered sessions (SE keys), read inside tx.
  static Result<std::vector<uint64_t>> SessionIds(KvTxn& tx);
  // True if SS{s}{ino} exists for a session s in sids other than `except`,
  // or for the sessionless id 0 (unless except is 0). kNoSid excludes none.
  static Result<bool> HeldElsewhere(KvTxn& tx, const std::vector<uint64_t>& sids, Ino ino, uint64_t except);
  static constexpr uint64_t kNoSid = UINT64_MAX;
  // Removes a chunk-range past `length` (truncate): drops and cuts records.
  Status CutChunksAfter(KvTxn& tx, Ino ino, uint64_t length, TxnEffects& fx);
  // Appends hole records covering [off, off+len) of a file (punch/zero).
  Status AppendHoles(KvTxn& tx, Ino ino, uint64_t off, uint64_t len);
  // Releases locks held by session sid (all owners) on the given inodes, or
  // on every inode when inos is null.
  Status ReleaseSessionLocks(uint64_t sid, const std::set<Ino>* inos);
  // Removes every SS record of session sid (ReleaseHolds in batches).
  Status ReleaseSessionFiles(uint64_t sid, bool onlyIfDead);
  // One transaction: deletes SS{sid}{ino} for each ino and destroys those
  // inodes that have nlink 0 and no other holder. With onlyIfDead nothing
  // happens (EAGAIN) if session sid is registered with a future expiry.
  Status ReleaseHolds(uint64_t sid, const std::vector<Ino>& inos, bool onlyIfDead);
  // Releases the SS records of sessions that have none of the (sid, expiry)
  // SE entries in `known` and are not registered (any more).
  Status ReleaseOrphanFiles(const std::vector<std::pair<uint64_t, int64_t>>& known);
  void NotifyBackground();
  void CallDeleter(const std::vector<std::pair<uint64_t, uint32_t>>& freed);
  bool WaitInterruptible(uint64_t owner, int attempt);  // false if interrupted
  void DoneWaiting(uint64_t owner);
  // Records that `owner` (about to wait for a POSIX lock) waits for the
  // owners `blockers` of this session; false (nothing recorded) when that
  // closes a cycle of waiters in this session: the caller fails EDEADLK.
  bool NoteWaitsFor(uint64_t owner, const std::set<uint64_t>& blockers);
  void NoteLocked(Ino ino);

 private:
  void BackgroundLoop();
  Status Heartbeat();
  Result<int> SweepZeroRefs();

  std::unique_ptr<KvStore> kv_;
  VolumeFormat fmt_;
  MetaOptions opts_;

  // Inode numbers (from 2; 1 is the root) and slice ids (from 1), reserved
  // in batches; see id_allocator.h (no lock is held across the reservation).
  IdAllocator inodeIds_;
  IdAllocator sliceIds_;

  UsageCounters usage_;  // usedSpace/totalInodes: bases + unflushed deltas
  DirStatsTable dirStats_;  // per-directory stats and quotas: unflushed deltas, quotas, ancestry

  OpenFileTable open_;  // this client's open files and their records (open_file_table.h)

  SessionState session_;  // this client's session id, SI value, sweep schedule (session_state.h)

  LockWaiters locks_;  // lock waiters, wait-for edges, locked inodes (lock_waiters.h)

  DeleterHook deleter_;  // the data layer's slice deleter (deleter_hook.h)
  std::atomic<bool> sweepPending_{false};

  std::mutex bgMu_;
  std::condition_variable bgCv_;
  bool bgStop_ = false;
  bool bgKick_ = false;
  std::thread bg_;
};

}  // namespace slicefs
