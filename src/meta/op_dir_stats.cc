// Per-directory stats kept incrementally (dir_stats.h): the charging
// helpers every operation uses, quota roots and checks, and the Meta calls
// that read or recompute one directory's stats.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "meta/meta_impl.h"

namespace slicefs {

DirStat MetaImpl::StatOf(const Attr& a) {
  if (a.type == FileType::kDir) return DirStat{0, 0, 1};
  return DirStat{static_cast<int64_t>(a.length), SpaceOf(a), 1};
}

Result<std::vector<std::pair<Ino, int64_t>>> MetaImpl::ParentsOf(KvTxn& tx, Ino ino, const Attr& a) {
  std::vector<std::pair<Ino, int64_t>> out;
  if (a.parent != 0) {
    out.emplace_back(a.parent, 1);
    return out;
  }
  if (a.nlink == 0) return out;  // open-unlinked: in no directory
  META_TRY(ScanPrefix(tx, keys::ParentPrefix(ino), 1000, [&](const KeyValue& kv) {
    auto p = keys::ParentOf(kv.key);
    const int64_t n = DecodeCounter(kv.value);
    if (p && n > 0) out.emplace_back(*p, n);
    return Status::OK();
  }));
  return out;
}

Status MetaImpl::ChargeResize(KvTxn& tx, Ino ino, const Attr& before, const Attr& after, TxnEffects& fx,
                              bool checkQuota) {
  const DirStat d{static_cast<int64_t>(after.length) - static_cast<int64_t>(before.length),
                  SpaceOf(after) - SpaceOf(before), 0};
  fx.spaceDelta = d.space;
  META_TRY(CheckSpace(d.space));
  if (d.zero()) return Status::OK();
  ASSIGN_OR_RETURN(auto parents, ParentsOf(tx, ino, before));
  for (auto& [p, n] : parents) {
    if (checkQuota && d.space > 0) META_TRY(CheckQuota(p, d.space * n, 0, &tx));
    fx.Dir(p, d.Times(n));
  }
  return Status::OK();
}

Result<std::vector<Ino>> MetaImpl::QuotaRoots(Ino dir, KvTxn* tx) {
  std::vector<Ino> roots;
  if (!dirStats_.haveQuotas()) return roots;
  Ino cur = dir;
  for (int depth = 0; depth < 10000; depth++) {
    if (dirStats_.IsQuotaRoot(cur)) roots.push_back(cur);
    if (cur == kRootIno || cur == kTrashIno) return roots;
    auto parent = dirStats_.CachedParent(cur);
    if (!parent) {
      std::optional<Attr> a;
      auto load = [&](KvTxn& t) -> Status {
        ASSIGN_OR_RETURN(a, LoadAttr(t, cur));
        return Status::OK();
      };
      META_TRY(tx ? load(*tx) : kv_->readOnly(load));
      if (!a || a->type != FileType::kDir || a->parent == 0) return roots;  // gone meanwhile
      dirStats_.SetParent(cur, a->parent);
      parent = a->parent;
    }
    cur = *parent;
  }
  return Err(EIO, "directory ancestry deeper than 10000 levels or cyclic");
}

Status MetaImpl::CheckQuota(Ino dir, int64_t space, int64_t inodes, KvTxn* tx) {
  if (!dirStats_.haveQuotas() || (space <= 0 && inodes <= 0)) return Status::OK();
  ASSIGN_OR_RETURN(auto roots, QuotaRoots(dir, tx));
  return dirStats_.Check(roots, space, inodes);
}

Status MetaImpl::CheckRenameQuotas(KvTxn& tx, Ino src, const Attr& sa, const Attr* da, bool exchange, Ino sp, Ino dp,
                                   TxnEffects& fx) {
  if (!dirStats_.haveQuotas()) return Status::OK();
  ASSIGN_OR_RETURN(auto from, QuotaRoots(sp, &tx));
  ASSIGN_OR_RETURN(auto to, QuotaRoots(dp, &tx));
  if (from == to) return Status::OK();
  const bool dirMoves = sa.type == FileType::kDir || (exchange && da && da->type == FileType::kDir);
  if (dirMoves && !exchange && (IsTrashDir(sp) || IsTrashDir(dp)) && sa.type == FileType::kDir) {
    fx.treeMoves.push_back(TxnEffects::TreeMove{src, from, to});
    return Status::OK();
  }
  if (dirMoves) return Status::Error(EXDEV, "directory rename between different directory quotas");
  auto notIn = [](const std::vector<Ino>& a, const std::vector<Ino>& b) {
    std::vector<Ino> out;
    for (Ino r : a)
      if (std::find(b.begin(), b.end(), r) == b.end()) out.push_back(r);
    return out;
  };
  META_TRY(dirStats_.Check(notIn(to, from), SpaceOf(sa), 1));
  if (exchange && da) META_TRY(dirStats_.Check(notIn(from, to), SpaceOf(*da), 1));
  return Status::OK();
}

void MetaImpl::ApplyDirDeltas(const TxnEffects& fx) {
  for (auto& [dir, parent] : fx.movedDirs) dirStats_.SetParent(dir, parent);
  for (const auto& m : fx.treeMoves) {
    auto u = TreeUsage(m.dir, false, false);
    if (!u) {
      spdlog::warn("meta: usage of directory {} moved to/from the trash: {} (run quota check --repair)", m.dir,
                   u.error().ToString());
      continue;
    }
    dirStats_.AddQuota(m.from, -u->space, -u->inodes);
    dirStats_.AddQuota(m.to, u->space, u->inodes);
  }
  for (auto& [dir, d] : fx.dirDeltas) {
    dirStats_.AddDir(dir, d);
    if (!dirStats_.haveQuotas()) continue;
    auto roots = QuotaRoots(dir, nullptr);
    if (!roots) {
      spdlog::warn("meta: quota roots of directory {}: {} (its quotas miss this change until quota check)", dir,
                   roots.error().ToString());
      continue;
    }
    dirStats_.AddQuota(*roots, d.space, d.inodes);
  }
}

Result<DirStat> MetaImpl::GetDirStat(Ino dir) {
  DirStat s;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, dir));
    if (a.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    ASSIGN_OR_RETURN(auto v, tx.get(keys::DirStat(dir)));
    s = v ? DecodeDirStat(*v) : DirStat{};
    return Status::OK();
  }));
  s += dirStats_.PendingDir(dir);
  return s;
}

Result<DirStat> MetaImpl::RecomputeDirStat(Ino dir, bool repair) {
  if (repair) META_TRY(CheckWritable());
  // The pending delta is written first so that the recomputed value, once
  // written, is not changed again by an older delta of this client.
  if (repair) META_TRY(FlushUsage());
  DirStat s;
  auto body = [&](KvTxn& tx) -> Status {
    s = DirStat{};
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, dir));
    if (a.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    std::vector<Ino> children;
    META_TRY(ScanPrefix(tx, keys::EntryPrefix(dir), 1000, [&](const KeyValue& kv) -> Status {
      ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(kv.value));
      children.push_back(e.ino);
      return Status::OK();
    }));
    for (size_t i = 0; i < children.size(); i += 1000) {
      std::vector<std::string> ks;
      for (size_t j = i; j < std::min(children.size(), i + 1000); j++) ks.push_back(keys::Attr(children[j]));
      ASSIGN_OR_RETURN(auto vals, tx.gets(ks));
      for (auto& v : vals) {
        if (!v) continue;  // dangling entry: fsck's business
        ASSIGN_OR_RETURN(Attr c, DecodeAttr(*v));
        s += StatOf(c);
      }
    }
    if (repair && s.zero()) tx.del(keys::DirStat(dir));
    if (repair && !s.zero()) tx.put(keys::DirStat(dir), EncodeDirStat(s));
    return Status::OK();
  };
  META_TRY(repair ? kv_->txn(body) : kv_->readOnly(body));
  return s;
}

Status MetaImpl::CheckWriteQuota(Ino ino, uint64_t newLength) {
  if (!dirStats_.haveQuotas() && fmt_.capacity == 0) return Status::OK();
  std::vector<std::pair<Ino, int64_t>> parents;
  int64_t growth = 0;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    if (a.type != FileType::kFile || newLength <= a.length) return Status::OK();
    Attr n = a;
    n.length = newLength;
    growth = SpaceOf(n) - SpaceOf(a);
    ASSIGN_OR_RETURN(parents, ParentsOf(tx, ino, a));
    return Status::OK();
  }));
  META_TRY(CheckSpace(growth));  // the volume capacity: ENOSPC
  for (auto& [p, n] : parents) META_TRY(CheckQuota(p, growth * n, 0, nullptr));
  return Status::OK();
}

}  // namespace slicefs
