// POSIX record locks over P{ino}: byte ranges per (session, owner).
#include <fcntl.h>

#include <algorithm>
#include <set>

#include "meta/lock_codec.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
bool Overlaps(const PlockRecord& r, uint64_t start, uint64_t end) { return r.start <= end && start <= r.end; }
bool Conflicts(const PlockRecord& r, int type) { return type == F_WRLCK || r.type == F_WRLCK; }
}  // namespace

Status MetaImpl::Getlk(const Ctx& ctx, Ino ino, uint64_t owner, int* type, uint64_t* start, uint64_t* end,
                       uint32_t* pid) {
  if (!type || !start || !end || !pid) return Status::Invalid("null output");
  if (*type != F_RDLCK && *type != F_WRLCK) return Status::Invalid("bad lock type");
  if (*start > *end) return Status::Invalid("lock range start after end");
  const uint64_t sid = session_.id();
  const int want = *type;
  const uint64_t s = *start, e = *end;
  std::optional<PlockRecord> found;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    found.reset();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
    (void)a;
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Plock(ino)));
    if (!v) return Status::OK();
    ASSIGN_OR_RETURN(auto recs, DecodePlocks(*v));
    for (const auto& r : recs) {
      if (r.sid == sid && r.owner == owner) continue;
      if (Overlaps(r, s, e) && Conflicts(r, want)) {
        found = r;
        break;
      }
    }
    return Status::OK();
  }));
  if (!found) {
    *type = F_UNLCK;
    return Status::OK();
  }
  *type = found->type;
  *start = found->start;
  *end = found->end;
  *pid = found->pid;
  return Status::OK();
}

Status MetaImpl::Setlk(const Ctx& ctx, Ino ino, uint64_t owner, bool block, int type, uint64_t start, uint64_t end,
                       uint32_t pid) {
  if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) return Status::Invalid("bad lock type");
  if (start > end) return Status::Invalid("lock range start after end");
  const uint64_t sid = session_.id();
  for (int attempt = 0;; attempt++) {
    bool conflict = false;
    std::set<uint64_t> localBlockers;  // owners in this session holding what we want
    Status st = kv_->txn([&](KvTxn& tx) -> Status {
      conflict = false;
      localBlockers.clear();
      ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
      (void)a;
      const std::string key = keys::Plock(ino);
      ASSIGN_OR_RETURN(auto v, tx.get(key));
      std::vector<PlockRecord> recs;
      if (v) {
        ASSIGN_OR_RETURN(recs, DecodePlocks(*v));
      }
      std::vector<PlockRecord> out;
      for (const auto& r : recs) {
        bool mine = r.sid == sid && r.owner == owner;
        if (!mine) {
          if (type != F_UNLCK && Overlaps(r, start, end) && Conflicts(r, type)) {
            conflict = true;
            if (r.sid == sid) localBlockers.insert(r.owner);
            continue;
          }
          out.push_back(r);
          continue;
        }
        if (!Overlaps(r, start, end)) {
          out.push_back(r);
          continue;
        }
        if (r.start < start) {  // keep the part before the new range
          PlockRecord left = r;
          left.end = start - 1;
          out.push_back(left);
        }
        if (r.end > end) {  // and the part after it
          PlockRecord right = r;
          right.start = end + 1;
          out.push_back(right);
        }
      }
      if (conflict) return Status::OK();
      if (type != F_UNLCK) {
        // Like Linux, one owner's adjacent locks of one type are one lock
        // (overlapping ones were cut above), so F_GETLK reports the whole.
        PlockRecord add{sid, owner, static_cast<uint8_t>(type), start, end, pid};
        std::erase_if(out, [&](const PlockRecord& r) {
          if (r.sid != sid || r.owner != owner || r.type != add.type) return false;
          if (add.start > 0 && r.end == add.start - 1) {
            add.start = r.start;
            return true;
          }
          if (add.end != UINT64_MAX && r.start == add.end + 1) {
            add.end = r.end;
            return true;
          }
          return false;
        });
        out.push_back(add);
      }
      // Ordered by start, so that F_GETLK reports the lowest conflicting
      // range first (as Linux walks one owner's locks).
      std::stable_sort(out.begin(), out.end(),
                       [](const PlockRecord& x, const PlockRecord& y) { return x.start < y.start; });
      if (out == recs) return Status::OK();
      if (out.empty()) {
        tx.del(key);
      } else {
        tx.put(key, EncodePlocks(out));
      }
      return Status::OK();
    });
    if (!st.ok()) {
      DoneWaiting(owner);
      return st;
    }
    if (!conflict) {
      DoneWaiting(owner);
      if (type != F_UNLCK) NoteLocked(ino);
      return Status::OK();
    }
    if (!block) return Status::Error(EAGAIN, "range is locked");
    // Deadlock detection among this session's waiters (as Linux does among
    // a host's processes); a cycle through another session is not seen.
    if (!NoteWaitsFor(owner, localBlockers)) {
      DoneWaiting(owner);
      return Status::Error(EDEADLK, "lock wait would deadlock");
    }
    if (!WaitInterruptible(owner, attempt)) return Status::Error(EINTR, "lock wait interrupted");
  }
}

}  // namespace slicefs
