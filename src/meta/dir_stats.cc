#include "meta/dir_stats.h"

#include <cerrno>

#include "common/encoding.h"
#include "kv/scan.h"
#include "meta/keys.h"

namespace slicefs {

namespace {
constexpr size_t kFlushBatch = 500;  // keys per flush transaction
}

std::string EncodeDirStat(const DirStat& s) {
  std::string v;
  PutBE64(v, static_cast<uint64_t>(s.length));
  PutBE64(v, static_cast<uint64_t>(s.space));
  PutBE64(v, static_cast<uint64_t>(s.inodes));
  return v;
}

DirStat DecodeDirStat(std::string_view v) {
  if (v.size() != 24) return {};
  return DirStat{static_cast<int64_t>(GetBE64(v, 0)), static_cast<int64_t>(GetBE64(v, 8)),
                 static_cast<int64_t>(GetBE64(v, 16))};
}

std::string EncodeQuota(const Quota& q) {
  std::string v;
  PutBE64(v, q.maxSpace);
  PutBE64(v, q.maxInodes);
  PutBE64(v, static_cast<uint64_t>(q.usedSpace));
  PutBE64(v, static_cast<uint64_t>(q.usedInodes));
  return v;
}

Result<Quota> DecodeQuota(std::string_view v) {
  if (v.size() != 32) return Err(EIO, "quota value of " + std::to_string(v.size()) + " bytes, want 32");
  return Quota{GetBE64(v, 0), GetBE64(v, 8), static_cast<int64_t>(GetBE64(v, 16)),
               static_cast<int64_t>(GetBE64(v, 24))};
}

Status PutQuotaUsage(KvTxn& tx, Ino dir, int64_t space, int64_t inodes) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::Quota(dir)));
  if (!v) return Status::Error(ENOENT, "no quota on this directory");
  ASSIGN_OR_RETURN(Quota q, DecodeQuota(*v));
  q.usedSpace = space;
  q.usedInodes = inodes;
  tx.put(keys::Quota(dir), EncodeQuota(q));
  return Status::OK();
}

Status AddDirStatInTxn(KvTxn& tx, Ino dir, const DirStat& delta) {
  if (delta.zero()) return Status::OK();
  const std::string key = keys::DirStat(dir);
  ASSIGN_OR_RETURN(auto cur, tx.get(key));
  DirStat s = cur ? DecodeDirStat(*cur) : DirStat{};
  s += delta;
  if (s.zero()) tx.del(key);
  else tx.put(key, EncodeDirStat(s));
  return Status::OK();
}

void DirStatsTable::AddDir(Ino dir, const DirStat& d) {
  if (d.zero()) return;
  std::lock_guard lk(mu_);
  dirPending_[dir] += d;
}

DirStat DirStatsTable::PendingDir(Ino dir) {
  std::lock_guard lk(mu_);
  auto it = dirPending_.find(dir);
  return it == dirPending_.end() ? DirStat{} : it->second;
}

bool DirStatsTable::IsQuotaRoot(Ino dir) {
  std::lock_guard lk(mu_);
  return quotas_.contains(dir);
}

Status DirStatsTable::Check(const std::vector<Ino>& roots, int64_t space, int64_t inodes) {
  if (roots.empty() || (space <= 0 && inodes <= 0)) return Status::OK();
  std::lock_guard lk(mu_);
  for (Ino r : roots) {
    auto it = quotas_.find(r);
    if (it == quotas_.end()) continue;
    const Quota& q = it->second;
    auto p = quotaPending_.find(r);
    const int64_t ps = p == quotaPending_.end() ? 0 : p->second.first;
    const int64_t pi = p == quotaPending_.end() ? 0 : p->second.second;
    if (space > 0 && q.maxSpace && q.usedSpace + ps + space > static_cast<int64_t>(q.maxSpace))
      return Status::Error(EDQUOT, "directory quota of inode " + std::to_string(r) + ": space limit reached");
    if (inodes > 0 && q.maxInodes && q.usedInodes + pi + inodes > static_cast<int64_t>(q.maxInodes))
      return Status::Error(EDQUOT, "directory quota of inode " + std::to_string(r) + ": inode limit reached");
  }
  return Status::OK();
}

void DirStatsTable::AddQuota(const std::vector<Ino>& roots, int64_t space, int64_t inodes) {
  if (roots.empty() || (space == 0 && inodes == 0)) return;
  std::lock_guard lk(mu_);
  for (Ino r : roots) {
    if (!quotas_.contains(r)) continue;
    auto& p = quotaPending_[r];
    p.first += space;
    p.second += inodes;
  }
}

std::optional<Quota> DirStatsTable::QuotaOf(Ino dir) {
  std::lock_guard lk(mu_);
  auto it = quotas_.find(dir);
  if (it == quotas_.end()) return std::nullopt;
  Quota q = it->second;
  if (auto p = quotaPending_.find(dir); p != quotaPending_.end()) {
    q.usedSpace += p->second.first;
    q.usedInodes += p->second.second;
  }
  return q;
}

std::pair<int64_t, int64_t> DirStatsTable::PendingQuota(Ino dir) {
  std::lock_guard lk(mu_);
  auto it = quotaPending_.find(dir);
  return it == quotaPending_.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
}

void DirStatsTable::ForgetPending(Ino dir) {
  std::lock_guard lk(mu_);
  quotaPending_.erase(dir);
}

std::optional<Ino> DirStatsTable::CachedParent(Ino dir) {
  std::lock_guard lk(mu_);
  auto it = parents_.find(dir);
  if (it == parents_.end()) return std::nullopt;
  return it->second;
}

void DirStatsTable::SetParent(Ino dir, Ino parent) {
  std::lock_guard lk(mu_);
  if (parents_.size() >= 1000000) parents_.clear();  // bounded: refilled on demand
  parents_[dir] = parent;
}

void DirStatsTable::DropParent(Ino dir) {
  std::lock_guard lk(mu_);
  parents_.erase(dir);
}

Status DirStatsTable::Flush() {
  std::lock_guard flk(flushMu_);
  std::vector<std::pair<Ino, DirStat>> dirs;
  std::vector<std::pair<Ino, std::pair<int64_t, int64_t>>> quotas;
  {
    std::lock_guard lk(mu_);
    dirs.assign(dirPending_.begin(), dirPending_.end());
    quotas.assign(quotaPending_.begin(), quotaPending_.end());
  }
  // The deltas stay pending (seen by checks and GetDirStat) until the
  // transaction that writes them has committed; then they are subtracted.
  for (size_t i = 0; i < dirs.size(); i += kFlushBatch) {
    const size_t end = std::min(dirs.size(), i + kFlushBatch);
    RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
      for (size_t j = i; j < end; j++) {
        const std::string k = keys::DirStat(dirs[j].first);
        ASSIGN_OR_RETURN(auto v, tx.get(k));
        DirStat s = v ? DecodeDirStat(*v) : DirStat{};
        s += dirs[j].second;
        if (s.zero()) {
          tx.del(k);  // an empty directory has no key (as after load)
        } else {
          tx.put(k, EncodeDirStat(s));
        }
      }
      return Status::OK();
    }));
    std::lock_guard lk(mu_);
    for (size_t j = i; j < end; j++) {
      auto it = dirPending_.find(dirs[j].first);
      if (it == dirPending_.end()) continue;
      it->second += -dirs[j].second;
      if (it->second.zero()) dirPending_.erase(it);
    }
  }
  if (!quotas.empty()) {
    RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
      for (auto& [ino, d] : quotas) {
        const std::string k = keys::Quota(ino);
        ASSIGN_OR_RETURN(auto v, tx.get(k));
        if (!v) continue;  // deleted meanwhile
        ASSIGN_OR_RETURN(Quota q, DecodeQuota(*v));
        q.usedSpace += d.first;
        q.usedInodes += d.second;
        tx.put(k, EncodeQuota(q));
      }
      return Status::OK();
    }));
    // Committed: the deltas move from pending into the known usage at once
    // (a failing reread below must not leave them to be written again).
    std::lock_guard lk(mu_);
    for (auto& [ino, d] : quotas) {
      if (auto q = quotas_.find(ino); q != quotas_.end()) {
        q->second.usedSpace += d.first;
        q->second.usedInodes += d.second;
      }
      auto it = quotaPending_.find(ino);
      if (it == quotaPending_.end()) continue;
      it->second.first -= d.first;
      it->second.second -= d.second;
      if (it->second.first == 0 && it->second.second == 0) quotaPending_.erase(it);
    }
  }
  std::map<Ino, Quota> fresh;
  RETURN_IF_ERROR(kv_.readOnly([&](KvTxn& tx) -> Status {
    fresh.clear();
    return ScanPrefix(tx, keys::QuotaAll(), 1000, [&](const KeyValue& kv) -> Status {
      auto ino = keys::QuotaIno(kv.key);
      if (!ino) return Status::OK();
      ASSIGN_OR_RETURN(Quota q, DecodeQuota(kv.value));
      fresh[*ino] = q;
      return Status::OK();
    });
  }));
  std::lock_guard lk(mu_);
  haveQuotas_ = !fresh.empty();
  quotas_ = std::move(fresh);
  return Status::OK();
}

}  // namespace slicefs
