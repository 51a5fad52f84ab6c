// Automatic metadata backups (docs/architecture.md, "Metadata backups"):
// every INTERVAL one client of the volume (whichever claims the interval in
// the engine first) writes a gzip-compressed dump to
// `{volume}/meta/dump-YYYY-MM-DD-HHMMSS.json.gz` (UTC) through the volume's
// object store, then prunes old backups by the retention policy. Also the
// pieces `slicefs load --from-bucket` uses to find and read a backup.
//
// Threading: MetaBackup runs one background thread; the free functions are
// thread-compatible. Errors are Status values; MetaBackup logs them and
// tries again at the next interval, never failing the mount.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "kv/kv.h"
#include "object/object_store.h"

namespace slicefs {

// "1h", "30m", "45s", "1h30m", "90" (seconds), "0" (off). EINVAL otherwise.
Result<std::chrono::seconds> ParseBackupInterval(std::string_view s);

std::string BackupPrefix(const std::string& volume);           // "{volume}/meta/dump-"
std::string BackupKey(const std::string& volume, int64_t unixSec);
// The time in a backup key, or nullopt for other keys.
std::optional<int64_t> BackupTime(std::string_view key);

// Keys to delete so that what remains is: every backup of the last 2 days,
// then the newest of each day for 2 weeks, of each week for 2 months, and
// of each month before that.
std::vector<std::string> BackupsToPrune(const std::vector<std::string>& keys, int64_t nowSec);

// Claims the backup of this interval: true (and records nowSec in the
// counter `ClastBackup`) when the last claim is at least `interval` old.
Result<bool> ClaimBackup(KvStore& kv, std::chrono::seconds interval, int64_t nowSec);

// Dumps the volume into a temporary file in tmpDir (memory stays bounded),
// then stores it under BackupKey(volume, nowSec). Returns the key.
Result<std::string> WriteBackup(KvStore& kv, ObjectStore& store, const std::string& volume, int64_t nowSec,
                                const std::string& tmpDir);

// Every backup key of the volume, oldest first.
Result<std::vector<std::string>> ListBackups(ObjectStore& store, const std::string& volume);

// Reads an object in ranged pieces (bounded memory). The store must outlive it.
std::unique_ptr<ByteSource> NewObjectSource(ObjectStore& store, std::string key);

class MetaBackup {
 public:
  // kv and store must outlive this object. store holds meta/ objects as
  // they are (no block compression).
  MetaBackup(KvStore& kv, ObjectStore& store, std::string volume, std::chrono::seconds interval, std::string tmpDir);
  ~MetaBackup();  // stops the thread (waits for a backup in progress)
  void Start();
  // One round now: claim, back up, prune. True when this client backed up.
  Result<bool> RunOnce();

 private:
  void Loop();
  KvStore& kv_;
  ObjectStore& store_;
  std::string volume_, tmpDir_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace slicefs
