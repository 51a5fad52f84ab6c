#include "vfs/writeback_record.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "chunk/block_key.h"
#include "kv/scan.h"
#include "meta/keys.h"

namespace slicefs {

std::string EncodeWritebackRecord(const WritebackRecord& r) {
  nlohmann::ordered_json j;
  j["sid"] = r.sid;
  j["host"] = r.host;
  j["dir"] = r.dir;
  j["updated"] = r.updatedSec;
  j["blocks"] = r.blocks;
  j["bytes"] = r.bytes;
  j["slices"] = r.slices;
  j["truncated"] = r.truncated;
  return j.dump();
}

Result<WritebackRecord> DecodeWritebackRecord(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err(EIO, "malformed writeback record");
  try {
    WritebackRecord r;
    r.sid = j.value("sid", uint64_t{0});
    r.host = j.value("host", std::string());
    r.dir = j.value("dir", std::string());
    r.updatedSec = j.value("updated", int64_t{0});
    r.blocks = j.value("blocks", uint64_t{0});
    r.bytes = j.value("bytes", uint64_t{0});
    r.slices = j.value("slices", std::vector<uint64_t>{});
    r.truncated = j.value("truncated", false);
    std::sort(r.slices.begin(), r.slices.end());
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Err(EIO, std::string("malformed writeback record: ") + e.what());
  }
}

Status PublishWriteback(KvStore& kv, const WritebackRecord& r) {
  const std::string key = keys::Writeback(r.host, r.dir);
  const std::string value = EncodeWritebackRecord(r);
  return kv.txn([&](KvTxn& tx) -> Status {
    if (r.blocks == 0) tx.del(key);
    else tx.put(key, value);
    return Status::OK();
  });
}

Result<std::vector<WritebackRecord>> ListWriteback(KvStore& kv) {
  std::vector<WritebackRecord> out;
  RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    return ScanPrefix(tx, keys::WritebackAll(), 64, [&](const KeyValue& e) -> Status {
      auto r = DecodeWritebackRecord(e.value);
      if (r) out.push_back(std::move(*r));
      return Status::OK();
    });
  }));
  return out;
}

WritebackRecord SnapshotWriteback(const WritebackStore& store, const VolumeFormat& fmt, uint64_t sid,
                                  const std::string& host) {
  WritebackRecord r;
  r.sid = sid;
  r.host = host;
  r.dir = store.dir();
  r.updatedSec = static_cast<int64_t>(std::time(nullptr));
  const auto st = store.Stats();
  r.blocks = st.pendingBlocks;
  r.bytes = st.pendingBytes;
  std::set<uint64_t> ids;
  for (const auto& key : store.PendingKeys(WritebackRecord::kMaxSlices * 4)) {
    auto k = ParseBlockObjectKey(fmt.name, fmt.hashPrefix, key);
    if (k) ids.insert(k->id);
  }
  r.truncated = ids.size() > WritebackRecord::kMaxSlices || st.pendingBlocks > WritebackRecord::kMaxSlices * 4;
  for (uint64_t id : ids) {
    if (r.slices.size() >= WritebackRecord::kMaxSlices) break;
    r.slices.push_back(id);
  }
  return r;
}

WritebackReporter::WritebackReporter(KvStore& kv, WritebackStore& store, VolumeFormat fmt, uint64_t sid,
                                     std::string host, std::chrono::milliseconds every)
    : kv_(kv), store_(store), fmt_(std::move(fmt)), sid_(sid), host_(std::move(host)), every_(every) {
  thread_ = std::thread([this] { Loop(); });
}

WritebackReporter::~WritebackReporter() { Stop(); }

void WritebackReporter::Stop() {
  {
    std::lock_guard lk(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Status st = PublishNow();
  if (!st.ok()) spdlog::warn("writeback: publishing the staging record: {}", st.ToString());
}

Status WritebackReporter::PublishNow() {
  WritebackRecord r = SnapshotWriteback(store_, fmt_, sid_, host_);
  const auto st = store_.Stats();
  {
    std::lock_guard lk(mu_);
    // Nothing staged and nothing written before: no key to write or delete
    // (except once, to clear a record an earlier mount of this host left).
    if (published_ && r.blocks == lastBlocks_ && st.uploaded == lastUploaded_) return Status::OK();
  }
  RETURN_IF_ERROR(PublishWriteback(kv_, r));
  std::lock_guard lk(mu_);
  published_ = true;
  lastBlocks_ = r.blocks;
  lastUploaded_ = st.uploaded;
  return Status::OK();
}

void WritebackReporter::Loop() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    lk.unlock();
    Status st = PublishNow();
    if (!st.ok()) spdlog::warn("writeback: publishing the staging record: {}", st.ToString());
    lk.lock();
    cv_.wait_for(lk, every_, [&] { return stop_; });
  }
}

}  // namespace slicefs
