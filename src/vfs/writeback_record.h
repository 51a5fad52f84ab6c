// What a `mount --writeback` tells other clients about the blocks it has
// staged but not uploaded: one record per staging directory, key
// W{host}\0{dir} (docs/formats.md), value JSON
//   {"sid":N,"host":"h","dir":"/abs","updated":unix-sec,"blocks":N,"bytes":N,
//    "slices":[ids...],"truncated":bool}
// `slices` lists the slice ids of staged blocks (at most kMaxSlices; beyond
// that `truncated` is true). `slicefs status` shows the records; `fsck`
// reports a referenced block that is missing from the bucket but whose slice
// a record lists as "staged, not uploaded yet" instead of lost. A later mount
// with the same host and directory overwrites the record; the mount deletes
// it when nothing is left staged.
//
// WritebackReporter publishes the record of one WritebackStore every
// `every` while it changes (and once at Stop). Thread-safe; Stop() is
// idempotent and called by the destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/volume_format.h"
#include "kv/kv.h"
#include "object/writeback_store.h"

namespace slicefs {

struct WritebackRecord {
  uint64_t sid = 0;
  std::string host;
  std::string dir;
  int64_t updatedSec = 0;
  uint64_t blocks = 0;
  uint64_t bytes = 0;
  std::vector<uint64_t> slices;  // ascending
  bool truncated = false;
  static constexpr size_t kMaxSlices = 20000;
};

std::string EncodeWritebackRecord(const WritebackRecord& r);
Result<WritebackRecord> DecodeWritebackRecord(std::string_view json);
// Writes r (deletes its key when r.blocks == 0).
Status PublishWriteback(KvStore& kv, const WritebackRecord& r);
// Every record in the engine.
Result<std::vector<WritebackRecord>> ListWriteback(KvStore& kv);
// The record of `store` now.
WritebackRecord SnapshotWriteback(const WritebackStore& store, const VolumeFormat& fmt, uint64_t sid,
                                  const std::string& host);

class WritebackReporter {
 public:
  WritebackReporter(KvStore& kv, WritebackStore& store, VolumeFormat fmt, uint64_t sid, std::string host,
                    std::chrono::milliseconds every);
  ~WritebackReporter();
  void Stop();
  Status PublishNow();

 private:
  void Loop();
  KvStore& kv_;
  WritebackStore& store_;
  const VolumeFormat fmt_;
  const uint64_t sid_;
  const std::string host_;
  const std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool published_ = false;
  uint64_t lastBlocks_ = 0, lastUploaded_ = 0;
  std::thread thread_;
};

}  // namespace slicefs
