// Sessions: registration (SE/SI keys), heartbeat, close, listing and the
// cleanup of sessions whose heartbeat expired.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
int64_t NowSec() { return MetaImpl::NowNs() / 1000000000; }
std::string ExpireValue(int64_t sec) {
  std::string v;
  PutBE64(v, static_cast<uint64_t>(sec));
  return v;
}
}  // namespace

Status MetaImpl::NewSession(const SessionInfo& info) {
  std::lock_guard lk(sessionMu_);
  if (sid_.load() != 0) return Status::OK();
  nlohmann::json j = {{"hostname", info.hostname},
                      {"mountPoint", info.mountPoint},
                      {"processId", info.processId},
                      {"version", info.version}};
  const std::string infoJson = j.dump();
  const int64_t expire = NowSec() + 5 * opts_.heartbeatSec;
  uint64_t sid = 0;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Counter(keys::kNextSession)));
    sid = static_cast<uint64_t>(v ? DecodeCounter(*v) : 0) + 1;
    tx.put(keys::Counter(keys::kNextSession), EncodeCounter(static_cast<int64_t>(sid)));
    tx.put(keys::SessionExpire(sid), ExpireValue(expire));
    tx.put(keys::SessionInfo(sid), infoJson);
    return Status::OK();
  }));
  sessionInfo_ = info;
  sid_ = sid;
  NotifyBackground();
  return Status::OK();
}

Status MetaImpl::Heartbeat() {
  uint64_t sid = sid_.load();
  if (sid == 0) return Status::OK();
  const int64_t expire = NowSec() + 5 * opts_.heartbeatSec;
  return kv_->txn([&](KvTxn& tx) -> Status {
    tx.put(keys::SessionExpire(sid), ExpireValue(expire));
    return Status::OK();
  });
}

Status MetaImpl::CloseSession() {
  std::lock_guard lk(sessionMu_);
  uint64_t sid = sid_.load();
  if (sid == 0) return opts_.readOnly ? Status::OK() : FlushUsage();
  std::set<Ino> locked;
  {
    std::lock_guard l2(lockMu_);
    locked.swap(lockedInos_);
  }
  Status st = ReleaseSessionLocks(sid, &locked);
  if (st.ok()) st = ReleaseSessionFiles(sid);
  {
    std::lock_guard l2(openMu_);
    openUnlinked_.clear();
  }
  if (st.ok()) {
    st = kv_->txn([&](KvTxn& tx) -> Status {
      tx.del(keys::SessionExpire(sid));
      tx.del(keys::SessionInfo(sid));
      return Status::OK();
    });
  }
  sid_ = 0;
  Status fl = opts_.readOnly ? Status::OK() : FlushUsage();
  return st.ok() ? fl : st;
}

Result<std::vector<SessionRecord>> MetaImpl::ListSessions() {
  std::vector<SessionRecord> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    std::string begin = "SE";
    const std::string end = PrefixEnd("SE");
    for (;;) {
      ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, end, 1000));
      std::vector<std::string> infoKeys;
      for (auto& kv : kvs) {
        auto sid = keys::SessionOf(kv.key);
        if (!sid || kv.value.size() < 8) continue;
        SessionRecord r;
        r.sid = *sid;
        r.expireSec = static_cast<int64_t>(GetBE64(kv.value, 0));
        out.push_back(r);
        infoKeys.push_back(keys::SessionInfo(*sid));
      }
      ASSIGN_OR_RETURN(auto infos, tx.gets(infoKeys));
      size_t base = out.size() - infoKeys.size();
      for (size_t i = 0; i < infos.size(); i++) {
        if (!infos[i]) continue;
        SessionRecord& r = out[base + i];
        r.infoJson = *infos[i];
        auto j = nlohmann::json::parse(r.infoJson, nullptr, false);
        if (j.is_object()) {
          r.info.hostname = j.value("hostname", "");
          r.info.mountPoint = j.value("mountPoint", "");
          r.info.processId = j.value("processId", 0u);
          r.info.version = j.value("version", "");
        }
      }
      if (kvs.size() < 1000) break;
      begin = kvs.back().key + '\0';
    }
    return Status::OK();
  }));
  return out;
}

Result<int> MetaImpl::CleanStaleSessions() {
  META_TRY(CheckWritable());
  ASSIGN_OR_RETURN(auto sessions, ListSessions());
  const int64_t now = NowSec();
  int cleaned = 0;
  for (const auto& s : sessions) {
    if (s.sid == sid_.load() || s.expireSec >= now) continue;
    META_TRY(ReleaseSessionLocks(s.sid, nullptr));
    META_TRY(ReleaseSessionFiles(s.sid));
    bool removed = false;
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      removed = false;
      ASSIGN_OR_RETURN(auto v, tx.get(keys::SessionExpire(s.sid)));
      if (v && v->size() >= 8 && static_cast<int64_t>(GetBE64(*v, 0)) >= now) return Status::OK();  // revived
      tx.del(keys::SessionExpire(s.sid));
      tx.del(keys::SessionInfo(s.sid));
      removed = true;
      return Status::OK();
    }));
    if (removed) {
      spdlog::debug("meta: cleaned stale session {}", s.sid);
      cleaned++;
    }
  }
  return cleaned;
}

Status MetaImpl::ReleaseSessionFiles(uint64_t sid) {
  const std::string prefix = keys::SessionFilePrefix(sid);
  for (;;) {
    std::vector<Ino> inos;
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      inos.clear();
      ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), 1000));
      for (auto& kv : kvs) {
        if (auto ino = keys::SessionFileIno(kv.key)) inos.push_back(*ino);
      }
      return Status::OK();
    }));
    if (inos.empty()) return Status::OK();
    for (Ino ino : inos) META_TRY(ReleaseOpenUnlinked(sid, ino));
  }
}

}  // namespace slicefs
