// Lock helpers shared by Flock and Setlk/Getlk: waiting with backoff,
// interruption, and releasing a session's locks.
#include <fcntl.h>

#include <chrono>

#include "common/encoding.h"
#include "meta/lock_codec.h"
#include "meta/meta_impl.h"

namespace slicefs {

bool MetaImpl::WaitInterruptible(uint64_t owner, int attempt) { return locks_.Wait(owner, attempt); }
void MetaImpl::DoneWaiting(uint64_t owner) { locks_.Done(owner); }
bool MetaImpl::NoteWaitsFor(uint64_t owner, const std::set<uint64_t>& blockers) {
  return locks_.NoteWaitsFor(owner, blockers);
}
void MetaImpl::InterruptLock(uint64_t owner) { locks_.Interrupt(owner); }
void MetaImpl::NoteLocked(Ino ino) { locks_.NoteLocked(ino); }

Status MetaImpl::ReleaseSessionLocks(uint64_t sid, const std::set<Ino>* inos) {
  std::vector<std::string> lockKeys;
  if (inos) {
    for (Ino ino : *inos) {
      lockKeys.push_back(keys::Flock(ino));
      lockKeys.push_back(keys::Plock(ino));
    }
  } else {
    for (const std::string& prefix : {keys::FlockAll(), keys::PlockAll()}) {
      META_TRY(ScanPrefixOutside(*kv_, prefix, 1000, [&](std::vector<KeyValue>& kvs) {
        for (auto& kv : kvs) {
          if (!keys::LockIno(kv.key)) continue;
          bool mine = false;
          if (keys::IsFlockKey(kv.key)) {
            if (auto recs = DecodeFlocks(kv.value))
              for (auto& r : *recs) mine |= r.sid == sid;
          } else if (auto recs = DecodePlocks(kv.value)) {
            for (auto& r : *recs) mine |= r.sid == sid;
          }
          if (mine) lockKeys.push_back(kv.key);
        }
        return Status::OK();
      }));
    }
  }
  for (const auto& key : lockKeys) {
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(auto v, tx.get(key));
      if (!v) return Status::OK();
      std::string nv;
      if (key[0] == 'F') {
        ASSIGN_OR_RETURN(auto recs, DecodeFlocks(*v));
        std::erase_if(recs, [&](const FlockRecord& r) { return r.sid == sid; });
        nv = EncodeFlocks(recs);
      } else {
        ASSIGN_OR_RETURN(auto recs, DecodePlocks(*v));
        std::erase_if(recs, [&](const PlockRecord& r) { return r.sid == sid; });
        nv = EncodePlocks(recs);
      }
      if (nv == *v) return Status::OK();
      if (nv.empty()) {
        tx.del(key);
      } else {
        tx.put(key, nv);
      }
      return Status::OK();
    }));
  }
  return Status::OK();
}

}  // namespace slicefs
