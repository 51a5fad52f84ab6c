// BSD flock over F{ino}: shared/exclusive per (session, owner), conflicts
// checked across sessions; blocking requests poll with backoff.
#include <fcntl.h>

#include "meta/lock_codec.h"
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::Flock(const Ctx& ctx, Ino ino, uint64_t owner, int type, bool block) {
  if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) return Status::Invalid("bad flock type");
  const uint64_t sid = session_.id();
  for (int attempt = 0;; attempt++) {
    bool conflict = false;
    Status st = kv_->txn([&](KvTxn& tx) -> Status {
      conflict = false;
      ASSIGN_OR_RETURN(Attr a, MustAttr(tx, ino));
      (void)a;
      const std::string key = keys::Flock(ino);
      ASSIGN_OR_RETURN(auto v, tx.get(key));
      std::vector<FlockRecord> recs;
      if (v) {
        ASSIGN_OR_RETURN(recs, DecodeFlocks(*v));
      }
      auto mine = std::find_if(recs.begin(), recs.end(),
                               [&](const FlockRecord& r) { return r.sid == sid && r.owner == owner; });
      if (type == F_UNLCK) {
        if (mine == recs.end()) return Status::OK();
        recs.erase(mine);
      } else {
        for (const auto& r : recs) {
          if (r.sid == sid && r.owner == owner) continue;
          if (type == F_WRLCK || r.type == F_WRLCK) {
            conflict = true;
            return Status::OK();
          }
        }
        if (mine != recs.end()) {
          if (mine->type == type) return Status::OK();
          mine->type = static_cast<uint8_t>(type);
        } else {
          recs.push_back(FlockRecord{sid, owner, static_cast<uint8_t>(type)});
        }
      }
      if (recs.empty()) {
        tx.del(key);
      } else {
        tx.put(key, EncodeFlocks(recs));
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
    if (!block) return Status::Error(EAGAIN, "file is locked");
    if (!WaitInterruptible(owner, attempt)) return Status::Error(EINTR, "lock wait interrupted");
  }
}

}  // namespace slicefs
