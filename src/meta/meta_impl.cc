#include "meta/meta_impl.h"

#include "common/clock.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "common/encoding.h"

namespace slicefs {

MetaImpl::MetaImpl(std::unique_ptr<KvStore> kv, VolumeFormat fmt, const MetaOptions& opts)
    : kv_(std::move(kv)),
      fmt_(std::move(fmt)),
      opts_(opts),
      inodeIds_(*kv_, keys::Counter(keys::kNextInode), 2, opts.inodeBatch),
      sliceIds_(*kv_, keys::Counter(keys::kNextChunk), 1, opts.sliceIdBatch),
      usage_(*kv_),
      dirStats_(*kv_) {
  if (opts_.usageFlushMs <= 0) opts_.usageFlushMs = 1000;
  if (opts_.heartbeatSec <= 0) opts_.heartbeatSec = 1;
  if (Status st = dirStats_.Flush(); !st.ok()) spdlog::warn("meta: reading quotas: {}", st.ToString());
  bg_ = std::thread([this] { BackgroundLoop(); });
}

MetaImpl::~MetaImpl() {
  {
    std::lock_guard lk(bgMu_);
    bgStop_ = true;
  }
  bgCv_.notify_all();
  if (bg_.joinable()) bg_.join();
  if (session_.id() != 0) {
    Status st = CloseSession();
    if (!st.ok()) spdlog::warn("meta: closing session at shutdown: {}", st.ToString());
  } else if (!opts_.readOnly) {
    Status st = FlushUsage();
    if (!st.ok()) spdlog::warn("meta: flushing usage at shutdown: {}", st.ToString());
  }
}

int64_t MetaImpl::NowNs() { return WallNs(); }

int64_t MetaImpl::SpaceOf(const Attr& a) {
  if (a.type != FileType::kFile) return 0;
  return static_cast<int64_t>((a.length + 4095) / 4096 * 4096);
}

Status MetaImpl::CheckWritable() const {
  if (opts_.readOnly) return Status::Error(EROFS, "volume is mounted read-only");
  return Status::OK();
}

Status MetaImpl::CheckName(std::string_view name) {
  if (name.empty()) return Status::Error(ENOENT, "empty name");
  if (name.size() > kMaxNameLen) return Status::Error(ENAMETOOLONG, "name longer than 255 bytes");
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
    return Status::Invalid("name contains '/' or NUL");
  if (name == "." || name == "..") return Status::Error(EEXIST, "name is . or ..");
  return Status::OK();
}

Status MetaImpl::CheckAccess(KvTxn& tx, const Ctx& ctx, const Attr& a, int mask) {
  mask &= 7;
  if (mask == 0) return Status::OK();
  // As Linux's inode_permission: writing an immutable inode is EPERM, even
  // for root and before the mode bits (inode_flags.h).
  if ((mask & W_OK) && (a.flags & kAttrImmutable)) return Status::Error(EPERM, "inode is immutable");
  if (ctx.isRoot()) {
    if ((mask & X_OK) && a.type != FileType::kDir && (a.mode & 0111) == 0)
      return Status::Error(EACCES, "no execute permission for anyone");
    return Status::OK();
  }
  uint32_t bits;
  if (ctx.uid == a.uid) {
    bits = (a.mode >> 6) & 7;
  } else if (a.accessAcl != 0 && (a.mode & 070)) {
    // As Linux's acl_permission_check: with group bits (the mask) of 000
    // the ACL is not consulted, and the group/other bits below decide.
    ASSIGN_OR_RETURN(acl::Acl rule, LoadAclRule(tx, a.accessAcl));
    if (!acl::Permits(acl::AccessWithMode(rule, a.mode), a.gid, ctx, static_cast<uint32_t>(mask)))
      return Status::Error(EACCES, "permission denied");
    return Status::OK();
  } else if (ctx.inGroup(a.gid)) {
    bits = (a.mode >> 3) & 7;
  } else {
    bits = a.mode & 7;
  }
  if ((bits & static_cast<uint32_t>(mask)) != static_cast<uint32_t>(mask))
    return Status::Error(EACCES, "permission denied");
  return Status::OK();
}

Status MetaImpl::CheckSticky(const Ctx& ctx, const Attr& dir, const Attr& child) {
  if (!(dir.mode & S_ISVTX) || ctx.isRoot()) return Status::OK();
  if (ctx.uid == dir.uid || ctx.uid == child.uid) return Status::OK();
  return Status::Error(EPERM, "sticky directory: not the owner");
}

Result<std::optional<Attr>> MetaImpl::LoadAttr(KvTxn& tx, Ino ino) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::Attr(ino)));
  if (!v) return std::optional<Attr>();
  ASSIGN_OR_RETURN(Attr a, DecodeAttr(*v));
  return std::optional<Attr>(a);
}

Result<Attr> MetaImpl::MustAttr(KvTxn& tx, Ino ino) {
  ASSIGN_OR_RETURN(auto a, LoadAttr(tx, ino));
  if (!a) return Err(ENOENT, "no such inode " + std::to_string(ino));
  return *a;
}

void MetaImpl::SaveAttr(KvTxn& tx, Ino ino, const Attr& a) { tx.put(keys::Attr(ino), EncodeAttr(a)); }

Result<std::optional<EntryValue>> MetaImpl::LoadEntry(KvTxn& tx, Ino parent, std::string_view name) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::Entry(parent, name)));
  if (!v) return std::optional<EntryValue>();
  ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(*v));
  return std::optional<EntryValue>(e);
}

Result<Attr> MetaImpl::LoadDirForChange(KvTxn& tx, const Ctx& ctx, Ino dir) {
  ASSIGN_OR_RETURN(Attr a, MustAttr(tx, dir));
  if (a.type != FileType::kDir) return Err(ENOTDIR, "not a directory");
  META_TRY(CheckAccess(tx, ctx, a, W_OK | X_OK));
  return a;
}

Result<bool> MetaImpl::DirIsEmpty(KvTxn& tx, Ino dir) {
  std::string prefix = keys::EntryPrefix(dir);
  ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), 1));
  return kvs.empty();
}

Result<Ino> MetaImpl::AllocInode() { return inodeIds_.Next(); }

Status MetaImpl::CheckSpace(int64_t delta) { return usage_.CheckSpace(delta, fmt_.capacity); }

Status MetaImpl::CheckInodes(int64_t delta) { return usage_.CheckInodes(delta, fmt_.inodes); }

void MetaImpl::Apply(const TxnEffects& fx) {
  usage_.Add(fx.spaceDelta, fx.inodeDelta);
  ApplyDirDeltas(fx);
  for (auto [sid, ino] : fx.keptOpen) open_.KeptOpen(sid, ino);
  if (fx.deletedData) NotifyBackground();
  if (!fx.freedSlices.empty()) CallDeleter(fx.freedSlices);
}

void MetaImpl::CallDeleter(const std::vector<std::pair<uint64_t, uint32_t>>& freed) {
  if (deleter_.Call(freed)) return;
  // The deleter went away after the commit: record the slices again (count
  // 0) so that a later client with a deleter removes them.
  Status st = kv_->txn([&](KvTxn& tx) -> Status {
    for (auto& [id, size] : freed) {
      std::string key = keys::SliceRef(id, size);
      ASSIGN_OR_RETURN(auto v, tx.get(key));
      if (!v) tx.put(key, EncodeCounter(0));
    }
    return Status::OK();
  });
  if (!st.ok()) spdlog::warn("meta: re-recording {} freed slices: {}", freed.size(), st.ToString());
}

bool MetaImpl::IsOpen(Ino ino) { return open_.IsOpen(ino); }

void MetaImpl::RegisterOpen(Ino ino, bool recorded) { open_.Register(ino, recorded); }

Status MetaImpl::AddSliceRef(KvTxn& tx, uint64_t id, uint32_t size, int64_t delta, TxnEffects& fx) {
  if (id == 0 || delta == 0) return Status::OK();
  std::string key = keys::SliceRef(id, size);
  ASSIGN_OR_RETURN(auto v, tx.get(key));
  int64_t n = (v ? DecodeCounter(*v) : 0) + delta;
  if (n > 0) {
    tx.put(key, EncodeCounter(n));
    return Status::OK();
  }
  if (deleter_.Has()) {
    tx.del(key);
    fx.freedSlices.emplace_back(id, size);
  } else {
    tx.put(key, EncodeCounter(0));  // kept for SweepZeroRefs once a deleter exists
  }
  return Status::OK();
}

Status MetaImpl::DropLink(KvTxn& tx, Ino parent, std::string_view name, Ino ino, Attr& child, int64_t now,
                          TxnEffects& fx, bool mayTrash, const std::vector<uint64_t>* knownSids) {
  tx.del(keys::Entry(parent, name));
  fx.Dir(parent, -StatOf(child));
  child.ctimeNs = now;
  const bool toTrash = mayTrash && fmt_.trashDays > 0 && !IsTrashDir(parent) &&
                       (child.type == FileType::kDir || child.nlink <= 1);
  if (toTrash) {
    // Into this hour's trash directory as "{parent}-{ino}-{name}": the
    // last link of any node (a directory only arrives here empty: rmdir, or
    // a rename over it).
    std::string tname = TrashEntryName(parent, ino, name);
    ASSIGN_OR_RETURN(Ino hour, TrashHourInTxn(tx, now, fx));
    ASSIGN_OR_RETURN(Attr ha, MustAttr(tx, hour));
    tx.put(keys::Entry(hour, tname), EncodeEntry(child.type, ino));
    fx.Dir(hour, StatOf(child));
    ha.mtimeNs = ha.ctimeNs = now;
    if (child.type == FileType::kDir) ha.nlink++;
    SaveAttr(tx, hour, ha);
    child.parent = hour;
    SaveAttr(tx, ino, child);
    return Status::OK();
  }
  if (child.type == FileType::kDir) return DestroyInode(tx, ino, child, fx);
  if (child.nlink > 1) {
    child.nlink--;
    if (child.parent == 0) {
      std::string pk = keys::Parent(ino, parent);
      ASSIGN_OR_RETURN(auto pv, tx.get(pk));
      int64_t cnt = (pv ? DecodeCounter(*pv) : 0) - 1;
      if (cnt > 0) {
        tx.put(pk, EncodeCounter(cnt));
      } else {
        tx.del(pk);
      }
      if (child.nlink == 1) {  // back to a single parent: drop the records
        std::string prefix = keys::ParentPrefix(ino);
        ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), 2));
        if (kvs.size() == 1) {
          if (auto p = keys::ParentOf(kvs[0].key)) {
            child.parent = *p;
            tx.del(kvs[0].key);
          }
        }
      }
    }
    SaveAttr(tx, ino, child);
    return Status::OK();
  }
  child.nlink = 0;
  if (child.type == FileType::kFile) {
    // Kept (nlink 0) while any session holds it open; see open_files.cc for
    // why this read of every session's SS record cannot miss a concurrent
    // open elsewhere.
    std::vector<uint64_t> readSids;
    if (knownSids == nullptr) {
      ASSIGN_OR_RETURN(readSids, SessionIds(tx));
      knownSids = &readSids;
    }
    ASSIGN_OR_RETURN(bool held, HeldElsewhere(tx, *knownSids, ino, kNoSid));
    if (!held && IsOpen(ino)) {  // open here without a record yet
      const uint64_t sid = session_.id();
      tx.put(keys::SessionFile(sid, ino), "");
      fx.keptOpen.emplace_back(sid, ino);
      held = true;
    }
    if (held) {
      SaveAttr(tx, ino, child);
      return Status::OK();
    }
  }
  return DestroyInode(tx, ino, child, fx);
}

Status MetaImpl::DestroyInode(KvTxn& tx, Ino ino, const Attr& a, TxnEffects& fx) {
  tx.del(keys::Attr(ino));
  META_TRY(RefAcls(tx, a, -1));
  if (a.type == FileType::kSymlink) tx.del(keys::Symlink(ino));
  if (a.type == FileType::kDir) {
    tx.del(keys::DirStat(ino));
    tx.del(keys::Quota(ino));
  }
  // Parent records exist only while an inode has several parents (parent 0).
  std::vector<std::string> prefixes{keys::XattrPrefix(ino)};
  if (a.parent == 0) prefixes.push_back(keys::ParentPrefix(ino));
  for (const std::string& prefix : prefixes) {
    META_TRY(ScanPrefix(tx, prefix, 1000, [&](const KeyValue& kv) {
      tx.del(kv.key);
      return Status::OK();
    }));
  }
  if (a.type == FileType::kFile) {
    tx.del(keys::Flock(ino));
    tx.del(keys::Plock(ino));
    if (a.length > 0) {
      std::string v;
      PutBE64(v, static_cast<uint64_t>(NowNs() / 1000000000));
      tx.put(keys::Deleted(ino, a.length), v);
      fx.deletedData = true;
    }
  }
  fx.spaceDelta -= SpaceOf(a);
  fx.inodeDelta -= 1;
  return Status::OK();
}

void MetaImpl::NotifyBackground() {
  {
    std::lock_guard lk(bgMu_);
    bgKick_ = true;
  }
  bgCv_.notify_all();
}

}  // namespace slicefs
