// The in-memory side of per-directory stats (keys U{ino}) and directory
// quotas (keys QD{ino}), kept like the volume usage counters: operations add
// deltas in memory after their transaction commits, Flush writes them in
// batched transactions (periodically with the usage counters, and at
// session close) and rereads every quota, so all clients see each other's
// quota usage within one flush interval (MetaOptions::usageFlushMs).
//
// Quota checks compare limit against engine usage (as of the last flush)
// plus this client's unflushed deltas; the slack is what other clients add
// between two flushes.
//
// The ancestry of directories (dir -> parent) is cached here; an entry may
// be stale after a rename elsewhere, which never changes the set of quota
// roots above a directory (renames of directories between different quota
// sets fail EXDEV), so the roots found stay right.
//
// Threading: thread-safe (mu_ guards the maps, never held across a KV
// transaction; flushMu_ serializes Flush and is held across its
// transactions).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "kv/kv.h"
#include "meta/tree_stats.h"

namespace slicefs {

std::string EncodeDirStat(const DirStat& s);
DirStat DecodeDirStat(std::string_view v);  // malformed -> zeros
std::string EncodeQuota(const Quota& q);
Result<Quota> DecodeQuota(std::string_view v);
// Replaces the used figures of dir's quota inside tx (ENOENT: no quota).
Status PutQuotaUsage(KvTxn& tx, Ino dir, int64_t space, int64_t inodes);
// Adds delta to dir's U record inside tx, straight to the engine (for tools
// such as fsck that change entries below Meta; an empty result drops the key).
Status AddDirStatInTxn(KvTxn& tx, Ino dir, const DirStat& delta);

class DirStatsTable {
 public:
  explicit DirStatsTable(KvStore& kv) : kv_(kv) {}

  // ---- per-directory stats ----
  void AddDir(Ino dir, const DirStat& d);
  // This client's unflushed delta of `dir`.
  DirStat PendingDir(Ino dir);

  // ---- quotas ----
  bool haveQuotas() const { return haveQuotas_.load(std::memory_order_relaxed); }
  bool IsQuotaRoot(Ino dir);
  // EDQUOT when adding space/inodes under `roots` passes a limit.
  Status Check(const std::vector<Ino>& roots, int64_t space, int64_t inodes);
  void AddQuota(const std::vector<Ino>& roots, int64_t space, int64_t inodes);
  // The quota of `dir` as this client sees it (engine + unflushed).
  std::optional<Quota> QuotaOf(Ino dir);
  // This client's unflushed usage of the quota of dir (space, inodes).
  std::pair<int64_t, int64_t> PendingQuota(Ino dir);
  // Drops a quota's unflushed deltas (after quota set/delete/repair wrote it).
  void ForgetPending(Ino dir);

  // ---- ancestry cache ----
  std::optional<Ino> CachedParent(Ino dir);
  void SetParent(Ino dir, Ino parent);
  void DropParent(Ino dir);

  // Writes the dir-stat and quota deltas, then rereads all quotas.
  Status Flush();

 private:
  KvStore& kv_;
  std::mutex mu_;
  std::unordered_map<Ino, DirStat> dirPending_;
  std::map<Ino, Quota> quotas_;                       // engine values at the last flush
  std::unordered_map<Ino, std::pair<int64_t, int64_t>> quotaPending_;  // space, inodes
  std::unordered_map<Ino, Ino> parents_;
  std::atomic<bool> haveQuotas_{false};
  std::mutex flushMu_;
};

}  // namespace slicefs
