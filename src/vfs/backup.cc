// Automatic metadata backups and the helpers to find and read them.
#include "vfs/backup.h"

#include "common/paths.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>

#include "meta/attr_codec.h"
#include "meta/dump.h"
#include "meta/keys.h"

namespace slicefs {

namespace {
constexpr int64_t kDay = 86400;
}  // namespace

Result<std::chrono::seconds> ParseBackupInterval(std::string_view s) {
  auto bad = [&] {
    return Err(EINVAL, "invalid --backup-meta '" + std::string(s) + "' (expected e.g. 1h, 30m, 1h30m, 45s or 0)");
  };
  if (s.empty()) return bad();
  int64_t total = 0, num = 0;
  bool digits = false, unit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      num = num * 10 + (c - '0');
      if (num > 100000000) return bad();
      digits = true;
      continue;
    }
    if (!digits) return bad();
    int64_t mul = c == 'h' ? 3600 : c == 'm' ? 60 : c == 's' ? 1 : c == 'd' ? kDay : 0;
    if (!mul) return bad();
    total += num * mul;
    num = 0;
    digits = false;
    unit = true;
  }
  if (digits) total += num;  // trailing plain number: seconds
  else if (!unit) return bad();
  return std::chrono::seconds(total);
}

std::string BackupPrefix(const std::string& volume) { return volume + "/meta/dump-"; }

std::string BackupKey(const std::string& volume, int64_t unixSec) {
  std::time_t t = static_cast<std::time_t>(unixSec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d-%H%M%S", &tm);
  return BackupPrefix(volume) + buf + ".json.gz";
}

std::optional<int64_t> BackupTime(std::string_view key) {
  auto p = key.rfind("/meta/dump-");
  if (p == std::string_view::npos) return std::nullopt;
  std::string rest(key.substr(p + 11));
  if (!rest.ends_with(".json.gz") || rest.size() != 17 + 8) return std::nullopt;
  std::tm tm{};
  const char* end = strptime(rest.c_str(), "%Y-%m-%d-%H%M%S", &tm);
  if (!end || std::string_view(end) != ".json.gz") return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<std::string> BackupsToPrune(const std::vector<std::string>& keys, int64_t nowSec) {
  std::vector<std::pair<int64_t, std::string>> timed;
  for (const auto& k : keys) {
    if (auto t = BackupTime(k)) timed.emplace_back(*t, k);
  }
  std::sort(timed.rbegin(), timed.rend());  // newest first
  std::map<std::pair<int, int64_t>, bool> seen;  // (tier, period) -> kept one
  std::vector<std::string> out;
  for (const auto& [t, k] : timed) {
    int64_t age = nowSec - t;
    if (age <= 2 * kDay) continue;
    std::pair<int, int64_t> slot;
    if (age <= 14 * kDay) {
      slot = {1, t / kDay};
    } else if (age <= 60 * kDay) {
      slot = {2, t / (7 * kDay)};
    } else {
      std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      slot = {3, tm.tm_year * 12 + tm.tm_mon};
    }
    if (!seen.emplace(slot, true).second) out.push_back(k);
  }
  return out;
}

Result<bool> ClaimBackup(KvStore& kv, std::chrono::seconds interval, int64_t nowSec) {
  const std::string key = keys::Counter(keys::kLastBackup);
  bool claimed = false;
  Status st = kv.txn([&](KvTxn& tx) -> Status {
    claimed = false;
    ASSIGN_OR_RETURN(auto v, tx.get(key));
    int64_t last = v ? DecodeCounter(*v) : 0;
    if (last > 0 && nowSec - last < interval.count() && last <= nowSec) return Status::OK();
    tx.put(key, EncodeCounter(nowSec));
    claimed = true;
    return Status::OK();
  });
  if (!st.ok()) return Err(st);
  return claimed;
}

Result<std::string> WriteBackup(KvStore& kv, ObjectStore& store, const std::string& volume, int64_t nowSec,
                                const std::string& tmpDir) {
  const std::string dir = tmpDir.empty() ? TempDirBase() : tmpDir;
  std::string path = dir + "/.slicefs-backup-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return Err(errno, "backup: cannot create a temporary file in " + dir + ": " + std::strerror(errno));
  ::unlink(path.c_str());  // the descriptor keeps it
  int rfd = ::dup(fd);
  auto sink = NewCompressingSink(NewFdSink(fd, true, "the backup file"), Compression::kGzip);
  auto d = DumpVolume(kv, *sink, {});
  Status st = d ? sink->Finish() : d.error();
  sink.reset();
  if (!st.ok()) {
    ::close(rfd);
    return Err(st);
  }
  struct stat sb;
  if (fstat(rfd, &sb) != 0 || sb.st_size == 0) {
    ::close(rfd);
    return Err(EIO, "backup: the dump file is empty");
  }
  // Mapped from the file: the upload reads page cache, not heap.
  void* p = mmap(nullptr, static_cast<size_t>(sb.st_size), PROT_READ, MAP_SHARED, rfd, 0);
  ::close(rfd);
  if (p == MAP_FAILED) return Err(errno, std::string("backup: mmap: ") + std::strerror(errno));
  const std::string key = BackupKey(volume, nowSec);
  st = store.put(key, std::span<const char>(static_cast<const char*>(p), static_cast<size_t>(sb.st_size)));
  munmap(p, static_cast<size_t>(sb.st_size));
  if (!st.ok()) return Err(st);
  return key;
}

Result<std::vector<std::string>> ListBackups(ObjectStore& store, const std::string& volume) {
  std::vector<std::string> out;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(auto page, store.list(BackupPrefix(volume), after, 1000));
    for (auto& o : page.objects) {
      if (BackupTime(o.key)) out.push_back(o.key);
    }
    if (!page.truncated || page.objects.empty()) break;
    after = page.objects.back().key;
  }
  std::sort(out.begin(), out.end());  // the name order is the time order
  return out;
}

namespace {
class ObjectSource : public ByteSource {
 public:
  ObjectSource(ObjectStore& store, std::string key) : store_(store), key_(std::move(key)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (pos_ >= buf_.size()) {
      if (eof_) return size_t{0};
      ASSIGN_OR_RETURN(buf_, store_.get(key_, off_, kPiece));
      off_ += buf_.size();
      pos_ = 0;
      if (buf_.size() < kPiece) eof_ = true;
      if (buf_.empty()) return size_t{0};
    }
    size_t k = std::min(n, buf_.size() - pos_);
    std::memcpy(buf, buf_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  static constexpr size_t kPiece = 4 << 20;
  ObjectStore& store_;
  std::string key_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t off_ = 0;
  bool eof_ = false;
};
}  // namespace

std::unique_ptr<ByteSource> NewObjectSource(ObjectStore& store, std::string key) {
  return std::make_unique<ObjectSource>(store, std::move(key));
}

MetaBackup::MetaBackup(KvStore& kv, ObjectStore& store, std::string volume, std::chrono::seconds interval,
                       std::string tmpDir)
    : kv_(kv), store_(store), volume_(std::move(volume)), tmpDir_(std::move(tmpDir)), interval_(interval) {}

MetaBackup::~MetaBackup() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MetaBackup::Start() { thread_ = std::thread([this] { Loop(); }); }

Result<bool> MetaBackup::RunOnce() {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  ASSIGN_OR_RETURN(bool mine, ClaimBackup(kv_, interval_, now));
  if (!mine) return false;
  auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::string key, WriteBackup(kv_, store_, volume_, now, tmpDir_));
  spdlog::info("metadata backup written to {} in {:.1f} s", key,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  ASSIGN_OR_RETURN(auto all, ListBackups(store_, volume_));
  for (const auto& old : BackupsToPrune(all, now)) {
    Status st = store_.del(old);
    if (!st.ok()) spdlog::warn("metadata backup: deleting old backup {}: {}", old, st.ToString());
  }
  return true;
}

void MetaBackup::Loop() {
  // Check a few times per interval (one small transaction); the claim in
  // the engine decides which client backs up.
  // The first check waits up to 5 minutes, so that short-lived mounts
  // (tools, tests) do not each start with a backup.
  auto period = std::clamp(interval_ / 4, std::chrono::seconds(1), std::chrono::seconds(60));
  auto wait = std::min<std::chrono::seconds>(interval_, std::chrono::seconds(300));
  std::unique_lock lk(mu_);
  while (!stop_) {
    if (cv_.wait_for(lk, wait, [&] { return stop_; })) break;
    wait = period;
    lk.unlock();
    auto r = RunOnce();
    if (!r) spdlog::warn("metadata backup failed (retried at the next interval): {}", r.error().ToString());
    lk.lock();
  }
}

}  // namespace slicefs
