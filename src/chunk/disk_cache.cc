#include "chunk/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/encoding.h"

namespace slicefs {

namespace {

constexpr char kMagic[4] = {'S', 'F', 'C', '1'};
constexpr size_t kHeader = 4 + 4 + 4 + 8;

void PutLE32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; i++) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

bool ReadFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(done);
  return true;
}

}  // namespace

Result<std::unique_ptr<DiskCache>> DiskCache::Open(const std::string& dir, uint64_t capacity,
                                                   double freeRatio) {
  std::error_code ec;
  std::filesystem::create_directories(dir + "/blocks", ec);
  if (ec) return Err(EIO, "cannot create cache dir " + dir + ": " + ec.message());
  std::filesystem::create_directories(dir + "/tmp", ec);
  if (ec) return Err(EIO, "cannot create cache dir " + dir + "/tmp: " + ec.message());
  // Leftover temporaries of a crashed process.
  for (auto& e : std::filesystem::directory_iterator(dir + "/tmp", ec)) std::filesystem::remove(e.path(), ec);
  std::unique_ptr<DiskCache> c(new DiskCache(dir, capacity, freeRatio));
  c->Scan();
  return c;
}

void DiskCache::Scan() {
  std::vector<std::tuple<int64_t, std::string, uint64_t>> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_ + "/blocks", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    files.emplace_back(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
                       it->path().string(), static_cast<uint64_t>(st.st_size));
  }
  std::sort(files.begin(), files.end());
  std::lock_guard lk(mu_);
  for (auto& [mt, path, size] : files) {  // oldest first -> ends at the back
    lru_.emplace_front(path, size);
    index_[path] = lru_.begin();
    used_ += size;
  }
}

std::string DiskCache::PathOf(const std::string& key) const {
  uint64_t h = XXH64(key.data(), key.size(), 0);
  std::string last = key.substr(key.rfind('/') + 1);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/blocks/%02x/%016llx_", static_cast<unsigned>(h & 0xff),
                static_cast<unsigned long long>(h));
  return dir_ + buf + last;
}

bool DiskCache::Contains(const std::string& key) {
  std::lock_guard lk(mu_);
  return index_.count(PathOf(key)) != 0;
}

void DiskCache::Touch(const std::string& path) {
  std::lock_guard lk(mu_);
  auto it = index_.find(path);
  if (it != index_.end()) lru_.splice(lru_.begin(), lru_, it->second);
}

void DiskCache::Forget(const std::string& path) {
  std::lock_guard lk(mu_);
  auto it = index_.find(path);
  if (it == index_.end()) return;
  used_ -= it->second->second;
  lru_.erase(it->second);
  index_.erase(it);
}

std::optional<std::string> DiskCache::Get(const std::string& key) {
  std::string path = PathOf(key);
  {
    std::lock_guard lk(mu_);
    if (!index_.count(path)) return std::nullopt;
  }
  std::string raw;
  if (!ReadFile(path, &raw)) {
    Forget(path);
    return std::nullopt;
  }
  bool good = raw.size() >= kHeader && std::memcmp(raw.data(), kMagic, 4) == 0;
  uint32_t keyLen = 0, dataLen = 0;
  if (good) {
    keyLen = static_cast<uint32_t>(GetLE(raw.data() + 4, 4));
    dataLen = static_cast<uint32_t>(GetLE(raw.data() + 8, 4));
    good = raw.size() == kHeader + keyLen + static_cast<uint64_t>(dataLen) &&
           std::string_view(raw).substr(kHeader, keyLen) == key &&
           XXH64(raw.data() + kHeader + keyLen, dataLen, 0) == GetLE(raw.data() + 12, 8);
  }
  if (!good) {
    corruptions_++;
    ::unlink(path.c_str());
    Forget(path);
    return std::nullopt;
  }
  Touch(path);
  return raw.substr(kHeader + keyLen);
}

void DiskCache::Put(const std::string& key, std::string_view data) {
  std::string path = PathOf(key);
  {
    std::lock_guard lk(mu_);
    if (index_.count(path)) return;
  }
  if (DiskTooFull()) {
    // Below the free-space floor: make room from our own files, and skip
    // caching when that is not enough (the disk is full of other data).
    std::unique_lock lk(mu_);
    EvictLocked(lk);
    lk.unlock();
    if (DiskTooFull()) return;
  }
  std::string raw;
  raw.reserve(kHeader + key.size() + data.size());
  raw.append(kMagic, 4);
  PutLE32(raw, static_cast<uint32_t>(key.size()));
  PutLE32(raw, static_cast<uint32_t>(data.size()));
  uint64_t h = XXH64(data.data(), data.size(), 0);
  for (int i = 0; i < 8; i++) raw.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  raw += key;
  raw += data;

  static std::atomic<uint64_t> seq{0};
  std::string tmp = dir_ + "/tmp/" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t done = 0;
  while (done < raw.size()) {
    ssize_t n = ::write(fd, raw.data() + done, raw.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  std::string dir = path.substr(0, path.rfind('/'));
  ::mkdir(dir.c_str(), 0700);
  if (done != raw.size() || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  std::unique_lock lk(mu_);
  if (index_.count(path)) return;
  lru_.emplace_front(path, raw.size());
  index_[path] = lru_.begin();
  used_ += raw.size();
  EvictLocked(lk);
}

bool DiskCache::DiskTooFull() const {
  if (freeRatio_ <= 0) return false;
  struct statvfs vs;
  if (::statvfs(dir_.c_str(), &vs) != 0 || vs.f_blocks == 0) return false;
  return static_cast<double>(vs.f_bavail) / static_cast<double>(vs.f_blocks) < freeRatio_;
}

void DiskCache::EvictLocked(std::unique_lock<std::mutex>& lk) {
  int guard = 0;
  while (!lru_.empty() && (used_ > capacity_ || (guard < 64 && DiskTooFull()))) {
    guard++;
    auto [path, size] = lru_.back();
    lru_.pop_back();
    index_.erase(path);
    used_ -= size;
    ::unlink(path.c_str());
  }
}

void DiskCache::Erase(const std::string& key) {
  std::string path = PathOf(key);
  bool had;
  {
    std::lock_guard lk(mu_);
    had = index_.count(path) != 0;
  }
  if (!had) return;
  ::unlink(path.c_str());
  Forget(path);
}

uint64_t DiskCache::used() const {
  std::lock_guard lk(mu_);
  return used_;
}

size_t DiskCache::files() const {
  std::lock_guard lk(mu_);
  return index_.size();
}

}  // namespace slicefs
