#include "chunk/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/buffer.h"
#include "common/encoding.h"

namespace slicefs {

namespace {

constexpr char kMagic[4] = {'S', 'F', 'C', '1'};
constexpr char kSealedMagic[4] = {'S', 'F', 'C', '2'};  // data = nonce | AEAD ciphertext | tag
constexpr size_t kHeader = 4 + 4 + 4 + 8;

void PutLE32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; i++) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Reads exactly n bytes at off (false on a short read or an error).
bool PreadAll(int fd, char* p, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, p + done, n - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<DiskCache>> DiskCache::Open(const std::string& dir, uint64_t capacity,
                                                   double freeRatio, DiskCacheSeal seal) {
  std::error_code ec;
  std::filesystem::create_directories(dir + "/blocks", ec);
  if (ec) return Err(EIO, "cannot create cache dir " + dir + ": " + ec.message());
  std::filesystem::create_directories(dir + "/tmp", ec);
  if (ec) return Err(EIO, "cannot create cache dir " + dir + "/tmp: " + ec.message());
  // Only the mount's user reads cached blocks: the cache and its two
  // directories are 0700 (also when an older version created them).
  for (const std::string& d : {dir, dir + "/blocks", dir + "/tmp"}) {
    if (::chmod(d.c_str(), 0700) != 0)  // not ours (files stay 0600): say so, keep caching
      spdlog::warn("disk cache: cannot make {} mode 0700: {}", d, std::strerror(errno));
  }
  if (!seal.key.empty() && seal.key.size() != kAeadKeyLen) return Err(EINVAL, "disk cache key must be 32 bytes");
  // Leftover temporaries of a crashed process.
  for (auto& e : std::filesystem::directory_iterator(dir + "/tmp", ec)) std::filesystem::remove(e.path(), ec);
  std::unique_ptr<DiskCache> c(new DiskCache(dir, capacity, freeRatio));
  c->seal_ = std::move(seal);
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
  // A cache file is header (magic, key length, data length, XXH64 of the
  // data), key, data. The data is read straight into the returned buffer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Forget(path);
    return std::nullopt;
  }
  struct stat st;
  char hdr[kHeader];
  bool good = ::fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) >= kHeader &&
              PreadAll(fd, hdr, kHeader, 0) && std::memcmp(hdr, sealed() ? kSealedMagic : kMagic, 4) == 0;
  uint32_t keyLen = good ? static_cast<uint32_t>(GetLE(hdr + 4, 4)) : 0;
  uint32_t dataLen = good ? static_cast<uint32_t>(GetLE(hdr + 8, 4)) : 0;
  good = good && static_cast<uint64_t>(st.st_size) == kHeader + keyLen + static_cast<uint64_t>(dataLen);
  std::string storedKey(good ? keyLen : 0, '\0');
  good = good && PreadAll(fd, storedKey.data(), keyLen, kHeader) && storedKey == key;
  std::string data;
  if (good) {
    data = FilledBuffer(dataLen, [&](char* p, size_t n) { return PreadAll(fd, p, n, kHeader + keyLen) ? n : 0; });
    good = data.size() == dataLen && XXH64(data.data(), dataLen, 0) == GetLE(hdr + 12, 8);
  }
  ::close(fd);
  if (good && sealed()) {  // nonce | ciphertext | tag, the block key as AAD
    std::string_view d(data);
    auto plain = d.size() < kAeadNonceLen
                     ? Result<std::string>(Err(EBADMSG, "short"))
                     : AeadOpen(seal_.algo, seal_.key, d.substr(0, kAeadNonceLen), key, d.substr(kAeadNonceLen));
    good = plain.has_value();
    if (good) data = std::move(*plain);
  }
  if (!good) {
    corruptions_++;
    ::unlink(path.c_str());
    Forget(path);
    return std::nullopt;
  }
  Touch(path);
  return data;
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
  // Sealed (encrypted volumes): the block is stored as nonce | ciphertext | tag.
  std::string sealedData;
  if (sealed()) {
    sealedData = RandomBytes(kAeadNonceLen);
    if (!AeadSeal(seal_.algo, seal_.key, sealedData, key, data, &sealedData).ok()) return;
    data = sealedData;
  }
  // Header and key, then the block itself straight from `data` (no copy).
  std::string head;
  head.reserve(kHeader + key.size());
  head.append(sealed() ? kSealedMagic : kMagic, 4);
  PutLE32(head, static_cast<uint32_t>(key.size()));
  PutLE32(head, static_cast<uint32_t>(data.size()));
  uint64_t h = XXH64(data.data(), data.size(), 0);
  for (int i = 0; i < 8; i++) head.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  head += key;
  const size_t total = head.size() + data.size();

  static std::atomic<uint64_t> seq{0};
  std::string tmp = dir_ + "/tmp/" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t done = 0;
  while (done < total) {
    iovec iov[2];
    int cnt = 0;
    if (done < head.size()) iov[cnt++] = {head.data() + done, head.size() - done};
    size_t dataOff = done < head.size() ? 0 : done - head.size();
    iov[cnt++] = {const_cast<char*>(data.data()) + dataOff, data.size() - dataOff};
    ssize_t n = ::writev(fd, iov, cnt);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  std::string dir = path.substr(0, path.rfind('/'));
  ::mkdir(dir.c_str(), 0700);
  if (done != total || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  std::unique_lock lk(mu_);
  if (index_.count(path)) return;
  lru_.emplace_front(path, total);
  index_[path] = lru_.begin();
  used_ += total;
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
