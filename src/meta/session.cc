// Sessions: registration (SE/SI keys), heartbeat, close, listing and the
// cleanup of sessions whose heartbeat expired. Read-only clients register
// and heartbeat too: their open files are protected like any other.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

namespace {
int64_t NowSec() { return MetaImpl::NowNs() / 1000000000; }
// SE value: expiry, then the time of the heartbeat that wrote it.
std::string ExpireValue(int64_t expire, int64_t now) {
  std::string v;
  PutBE64(v, static_cast<uint64_t>(expire));
  PutBE64(v, static_cast<uint64_t>(now));
  return v;
}
int64_t ExpiryOf(const std::string& v) { return v.size() >= 8 ? static_cast<int64_t>(GetBE64(v, 0)) : 0; }
}  // namespace

Status MetaImpl::NewSession(const SessionInfo& info) {
  std::lock_guard lk(session_.mu());
  if (session_.id() != 0) return Status::OK();
  nlohmann::json j = {{"hostname", info.hostname},
                      {"mountPoint", info.mountPoint},
                      {"processId", info.processId},
                      {"version", info.version},
                      {"readOnly", opts_.readOnly}};
  if (!info.kind.empty()) j["kind"] = info.kind;
  if (!info.address.empty()) j["address"] = info.address;
  const std::string infoJson = j.dump();
  const int64_t now = NowSec();
  const int64_t expire = now + 5 * opts_.heartbeatSec;
  uint64_t sid = 0;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Counter(keys::kNextSession)));
    sid = static_cast<uint64_t>(v ? DecodeCounter(*v) : 0) + 1;
    tx.put(keys::Counter(keys::kNextSession), EncodeCounter(static_cast<int64_t>(sid)));
    tx.put(keys::SessionExpire(sid), ExpireValue(expire, now));
    tx.put(keys::SessionInfo(sid), infoJson);
    return Status::OK();
  }));
  session_.Begin(sid, info, infoJson);
  NotifyBackground();
  return Status::OK();
}

Status MetaImpl::Heartbeat() {
  std::lock_guard lk(session_.mu());
  uint64_t sid = session_.id();
  if (sid == 0) return Status::OK();
  const int64_t now = NowSec();
  const int64_t expire = now + 5 * opts_.heartbeatSec;
  std::vector<Ino> recorded = open_.Recorded();
  bool revived = false;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    revived = false;
    ASSIGN_OR_RETURN(auto v, tx.get(keys::SessionExpire(sid)));
    tx.put(keys::SessionExpire(sid), ExpireValue(expire, now));
    if (v) return Status::OK();
    // Another client took this session for dead (it missed its heartbeats)
    // and removed it with its records: register again and record the files
    // still open here that survived.
    revived = true;
    tx.put(keys::SessionInfo(sid), session_.infoJson());
    for (Ino ino : recorded) {
      ASSIGN_OR_RETURN(auto a, LoadAttr(tx, ino));
      if (a) tx.put(keys::SessionFile(sid, ino), "");
    }
    return Status::OK();
  }));
  if (revived) spdlog::warn("meta: session {} had been cleaned as stale by another client; registered again", sid);
  return Status::OK();
}

Status MetaImpl::CloseSession() {
  std::lock_guard lk(session_.mu());
  uint64_t sid = session_.id();
  if (sid == 0) return opts_.readOnly ? Status::OK() : FlushUsage();
  std::set<Ino> locked = locks_.TakeLocked();
  Status st = FlushClosedFiles();
  if (st.ok()) st = ReleaseSessionLocks(sid, &locked);
  if (st.ok()) st = ReleaseSessionFiles(sid, false);
  open_.SessionClosed();
  if (st.ok()) {
    st = kv_->txn([&](KvTxn& tx) -> Status {
      tx.del(keys::SessionExpire(sid));
      tx.del(keys::SessionInfo(sid));
      return Status::OK();
    });
  }
  session_.End();
  Status fl = FlushUsage();
  return st.ok() ? fl : st;
}

Result<std::vector<SessionRecord>> MetaImpl::ListSessions() {
  std::vector<SessionRecord> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    const std::string all = keys::SessionExpireAll();
    return ScanPages(tx, all, PrefixEnd(all), 1000, [&](std::vector<KeyValue>& kvs) -> Status {
      std::vector<std::string> infoKeys;
      for (auto& kv : kvs) {
        auto sid = keys::SessionOf(kv.key);
        if (!sid || kv.value.size() < 8) continue;
        SessionRecord r;
        r.sid = *sid;
        r.expireSec = ExpiryOf(kv.value);
        if (kv.value.size() >= 16) r.lastHeartbeatSec = static_cast<int64_t>(GetBE64(kv.value, 8));
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
          r.info.readOnly = j.value("readOnly", false);
          r.info.kind = j.value("kind", "");
          r.info.address = j.value("address", "");
        }
      }
      return Status::OK();
    });
  }));
  return out;
}

Result<int> MetaImpl::CleanStaleSessions() {
  META_TRY(CheckWritable());
  // Cheap when nobody is stale: one scan of the SE range (run every
  // heartbeat by each writable client).
  std::vector<std::pair<uint64_t, int64_t>> expiries;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(expiries, SessionExpiries(tx));
    return Status::OK();
  }));
  const int64_t now = NowSec();
  const uint64_t self = session_.id();
  int cleaned = 0;
  for (const auto& [sid, expire] : expiries) {
    if (sid == self || expire >= now) continue;
    META_TRY(ReleaseSessionLocks(sid, nullptr));
    Status st = ReleaseSessionFiles(sid, /*onlyIfDead=*/true);
    if (st.is(EAGAIN)) continue;  // revived
    META_TRY(st);
    bool removed = false;
    META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
      removed = false;
      ASSIGN_OR_RETURN(auto v, tx.get(keys::SessionExpire(sid)));
      if (v && ExpiryOf(*v) >= now) return Status::OK();  // revived
      tx.del(keys::SessionExpire(sid));
      tx.del(keys::SessionInfo(sid));
      removed = true;
      return Status::OK();
    }));
    if (removed) {
      spdlog::info("meta: cleaned stale session {}", sid);
      cleaned++;
    }
  }
  // Orphan records (of a session removed while its process still opened
  // files) are rare: sweep for them after a cleanup, else once a minute,
  // not on every heartbeat (one scan per session holding files).
  if (cleaned > 0 || session_.SweepDue(now)) {
    META_TRY(ReleaseOrphanFiles(expiries));
    session_.SweepDone(now, 60);
  }
  return cleaned;
}

Result<std::vector<std::pair<uint64_t, int64_t>>> MetaImpl::SessionExpiries(KvTxn& tx) {
  std::vector<std::pair<uint64_t, int64_t>> out;
  META_TRY(ScanPrefix(tx, keys::SessionExpireAll(), 1000, [&](const KeyValue& kv) {
    if (auto sid = keys::SessionOf(kv.key)) out.emplace_back(*sid, ExpiryOf(kv.value));
    return Status::OK();
  }));
  return out;
}

// SS records of a session id without an SE key (a session cleaned while its
// process still wrote, or removed by hand): one scan per such id.
Status MetaImpl::ReleaseOrphanFiles(const std::vector<std::pair<uint64_t, int64_t>>& known) {
  std::set<uint64_t> live;
  for (const auto& e : known) live.insert(e.first);
  live.insert(session_.id());
  std::string begin = keys::SessionFilePrefix(1);  // sid 0: sessionless clients, left alone
  const std::string end = PrefixEnd(keys::SessionFileAll());
  for (;;) {
    std::optional<uint64_t> sid;
    META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
      sid.reset();
      ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, end, 1));
      if (!kvs.empty()) sid = keys::SessionFileSid(kvs[0].key);
      return Status::OK();
    }));
    if (!sid || *sid == UINT64_MAX) return Status::OK();
    if (!live.count(*sid)) {
      Status st = ReleaseSessionFiles(*sid, /*onlyIfDead=*/true);
      if (!st.ok() && !st.is(EAGAIN)) return st;
    }
    begin = keys::SessionFilePrefix(*sid + 1);
  }
}

}  // namespace slicefs
