// Open-file records shared by all sessions of a volume (SS{sid}{ino}, see
// docs/formats.md): who holds an inode open, and the release of those
// records (deferred last closes, session close, dead sessions) including the
// destruction of inodes left with no link and no holder.
//
// Why an open on B and an unlink on A cannot both miss each other: the open
// transaction reads A{ino}I and writes SS{B}{ino}; the unlink transaction
// reads A{ino}I, scans the SE range and reads SS{s}{ino} of every session
// found, then writes A{ino}I. Each transaction reads a key the other writes,
// so under the engines' serializable transactions one of them sees the
// other's commit or is retried: either the open comes first and the unlink
// finds its SS record (and keeps the inode with nlink 0), or the unlink comes
// first and the open finds the inode gone (ENOENT) or at nlink 0 with another
// holder (and then holds it too). A session registered after the unlink's
// scan cannot hold the inode: its first open of it reads A{ino}I, which the
// unlink wrote. The same argument covers a holder's release (delete SS, read
// A{ino}I, destroy at nlink 0 when no other SS remains) against an open or
// an unlink elsewhere.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
constexpr size_t kReleaseBatch = 256;
}  // namespace

Result<std::vector<uint64_t>> MetaImpl::SessionIds(KvTxn& tx) {
  ASSIGN_OR_RETURN(auto expiries, SessionExpiries(tx));
  std::vector<uint64_t> out;
  for (const auto& e : expiries) out.push_back(e.first);
  return out;
}

Result<bool> MetaImpl::HeldElsewhere(KvTxn& tx, const std::vector<uint64_t>& sids, Ino ino, uint64_t except) {
  std::vector<std::string> ks;
  if (except != 0) ks.push_back(keys::SessionFile(0, ino));  // sessionless clients
  for (uint64_t s : sids) {
    if (s != except) ks.push_back(keys::SessionFile(s, ino));
  }
  if (ks.empty()) return false;
  ASSIGN_OR_RETURN(auto vals, tx.gets(ks));
  return std::any_of(vals.begin(), vals.end(), [](const auto& v) { return v.has_value(); });
}

Status MetaImpl::ReleaseHolds(uint64_t sid, const std::vector<Ino>& inos, bool onlyIfDead) {
  TxnEffects fx;
  bool skipped = false;
  const int64_t now = NowNs() / 1000000000;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    skipped = false;
    if (onlyIfDead) {  // a session revived (or re-registered) meanwhile keeps its files
      ASSIGN_OR_RETURN(auto v, tx.get(keys::SessionExpire(sid)));
      if (v && v->size() >= 8 && static_cast<int64_t>(GetBE64(*v, 0)) >= now) {
        skipped = true;
        return Status::OK();
      }
    }
    ASSIGN_OR_RETURN(auto sids, SessionIds(tx));
    for (Ino ino : inos) {
      tx.del(keys::SessionFile(sid, ino));
      ASSIGN_OR_RETURN(auto a, LoadAttr(tx, ino));
      if (!a || a->nlink != 0 || a->type != FileType::kFile) continue;
      ASSIGN_OR_RETURN(bool held, HeldElsewhere(tx, sids, ino, sid));
      if (!held) META_TRY(DestroyInode(tx, ino, *a, fx));
    }
    return Status::OK();
  }));
  Apply(fx);
  if (skipped) return Status::Error(EAGAIN, "session " + std::to_string(sid) + " is alive again");
  return Status::OK();
}

Status MetaImpl::ReleaseSessionFiles(uint64_t sid, bool onlyIfDead) {
  const std::string prefix = keys::SessionFilePrefix(sid);
  for (;;) {
    std::vector<Ino> inos;
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      inos.clear();
      ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), kReleaseBatch));
      for (auto& kv : kvs) {
        if (auto ino = keys::SessionFileIno(kv.key)) inos.push_back(*ino);
      }
      return Status::OK();
    }));
    if (inos.empty()) return Status::OK();
    META_TRY(ReleaseHolds(sid, inos, onlyIfDead));
  }
}

bool MetaImpl::ReserveRecorded(Ino ino) { return open_.ReserveRecorded(ino); }

Status MetaImpl::FinishClosed(std::vector<Ino> inos) {
  const uint64_t sid = session_.id();
  if (inos.empty() || sid == 0) return Status::OK();
  // Lock the inodes' stripes in a fixed order, so no first open of them in
  // this session runs while their records go away.
  auto held = open_.LockStripes(inos);
  std::vector<Ino> batch = open_.TakeReleasable(inos);
  if (batch.empty()) return Status::OK();
  Status st = ReleaseHolds(sid, batch, false);
  if (!st.ok()) open_.Restore(batch);  // the records are still there: retry later
  return st;
}

Status MetaImpl::FlushClosedFiles() {
  // One flush at a time, so that a flush returns only after the records of
  // every earlier close are gone (even those a concurrent flush took).
  std::lock_guard flushing(open_.flushMu());
  for (;;) {
    std::vector<Ino> inos = open_.ClosedPending(kReleaseBatch);
    if (inos.empty()) return Status::OK();
    META_TRY(FinishClosed(inos));
  }
}

}  // namespace slicefs
