#include "object/writeback_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace slicefs {

namespace {

constexpr const char* kTmp = ".tmp";

Status Errno(const std::string& what) { return Status::Error(errno, what + ": " + std::strerror(errno)); }

Status FsyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  Status st = ::fsync(fd) == 0 ? Status::OK() : Errno("fsync " + path);
  ::close(fd);
  return st;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

Status WriteFileDurably(const std::string& tmp, const std::string& path, std::span<const char> data) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + tmp);
  Status st;
  size_t done = 0;
  while (st.ok() && done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = Errno("write " + tmp);
    else done += static_cast<size_t>(n);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync " + tmp);
  if (::close(fd) != 0 && st.ok()) st = Errno("close " + tmp);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = Errno("rename to " + path);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncPath(Parent(path));
}

}  // namespace

WritebackStore::WritebackStore(std::unique_ptr<ObjectStore> inner, WritebackOptions opts)
    : ObjectStoreWrapper(std::move(inner)), opts_(std::move(opts)) {
  while (opts_.dir.size() > 1 && opts_.dir.back() == '/') opts_.dir.pop_back();
  opts_.uploads = std::max(opts_.uploads, 1);
}

Result<std::unique_ptr<WritebackStore>> WritebackStore::Open(std::unique_ptr<ObjectStore> inner,
                                                             WritebackOptions opts) {
  if (opts.dir.empty() || opts.dir[0] != '/') return Err(EINVAL, "writeback staging directory must be absolute");
  std::unique_ptr<WritebackStore> s(new WritebackStore(std::move(inner), std::move(opts)));
  std::error_code ec;
  std::filesystem::create_directories(s->opts_.dir + "/" + kTmp, ec);
  if (ec) return Err(EIO, "cannot create writeback directory " + s->opts_.dir + ": " + ec.message());
  ::chmod(s->opts_.dir.c_str(), 0700);
  RETURN_IF_ERROR(FsyncPath(Parent(s->opts_.dir)));
  RETURN_IF_ERROR(s->Recover());
  for (int i = 0; i < s->opts_.uploads; i++) s->workers_.emplace_back([p = s.get()] { p->Worker(); });
  return s;
}

WritebackStore::~WritebackStore() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  work_.notify_all();
  space_.notify_all();
  for (auto& t : workers_) t.join();
}

std::string WritebackStore::describe() const { return inner().describe() + " (writeback " + opts_.dir + ")"; }

bool WritebackStore::Stageable(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.back() == '/' || key.find("//") != std::string::npos ||
      key.find('\0') != std::string::npos || key.rfind(kTmp, 0) == 0) {
    return false;
  }
  for (size_t start = 0; start <= key.size();) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string_view comp(key.data() + start, end - start);
    if (comp == "." || comp == "..") return false;
    start = end + 1;
  }
  return true;
}

// Staged files of a previous process: scheduled first (due now), ahead of
// anything staged later. Temporary files were never acknowledged: removed.
Status WritebackStore::Recover() {
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(opts_.dir + "/" + kTmp, ec)) {
    std::filesystem::remove(e.path(), ec);
  }
  const auto now = Clock::now();
  std::vector<std::pair<std::string, uint64_t>> found;
  for (auto it = std::filesystem::recursive_directory_iterator(opts_.dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = it->path().string().substr(opts_.dir.size() + 1);
    if (it->is_directory(ec)) {
      if (rel == kTmp) it.disable_recursion_pending();
      else madeDirs_.insert(it->path().string());
      continue;
    }
    if (!it->is_regular_file(ec) || !Stageable(rel)) continue;
    found.emplace_back(rel, it->file_size(ec));
  }
  if (ec) return Err(EIO, "scanning writeback directory " + opts_.dir + ": " + ec.message());
  std::lock_guard lk(mu_);
  for (auto& [key, size] : found) {
    Item& item = items_[key];
    item.size = size;
    item.leftover = true;
    pendingBytes_ += size;
    leftoversLeft_++;
    Schedule(key, now - std::chrono::hours(1));
  }
  stats_.leftovers = found.size();
  if (!found.empty()) {
    spdlog::info("writeback: {} staged blocks ({} bytes) from an earlier mount in {}: uploading them first",
                 found.size(), pendingBytes_, opts_.dir);
  }
  return Status::OK();
}

void WritebackStore::Schedule(const std::string& key, Clock::time_point due) {
  items_[key].due = due;
  queue_.emplace(due, key);
  work_.notify_one();
}

// mkdir -p of the directories between dir_ and `path`'s parent; each new
// directory's parent is fsynced so the entry survives a crash.
Status WritebackStore::EnsureDirs(const std::string& path) {
  const std::string parent = Parent(path);
  {
    std::lock_guard lk(mu_);
    if (parent == opts_.dir || madeDirs_.count(parent)) return Status::OK();
  }
  for (size_t i = opts_.dir.size() + 1; i <= parent.size(); i++) {
    if (i != parent.size() && parent[i] != '/') continue;
    const std::string part = parent.substr(0, i);
    {
      std::lock_guard lk(mu_);
      if (madeDirs_.count(part)) continue;
    }
    if (::mkdir(part.c_str(), 0700) == 0) {
      RETURN_IF_ERROR(FsyncPath(Parent(part)));
    } else if (errno != EEXIST) {
      return Errno("mkdir " + part);
    }
    std::lock_guard lk(mu_);
    madeDirs_.insert(part);
  }
  return Status::OK();
}

Status WritebackStore::put(const std::string& key, std::span<const char> data) {
  if (!Stageable(key)) return inner().put(key, data);
  {
    // Back-pressure: wait for uploads to make room (one put larger than the
    // whole limit is admitted when nothing else is staged).
    std::unique_lock lk(mu_);
    space_.wait(lk, [&] { return stop_ || pendingBytes_ == 0 || pendingBytes_ + data.size() <= opts_.limitBytes; });
    if (stop_) return Status::Error(ESHUTDOWN, "writeback store is closing");
    auto it = items_.find(key);
    if (it != items_.end()) {
      // Immutable objects: the same key again carries the same bytes.
      if (!it->second.deleted) return Status::OK();
    }
    pendingBytes_ += data.size();  // reserved before the file exists
  }
  const std::string path = PathOf(key);
  std::string tmp;
  {
    std::lock_guard lk(mu_);
    tmp = opts_.dir + "/" + kTmp + "/" + std::to_string(getpid()) + "-" + std::to_string(tmpSeq_++);
  }
  Status st = EnsureDirs(path);
  if (st.ok()) st = WriteFileDurably(tmp, path, data);
  std::lock_guard lk(mu_);
  if (!st.ok()) {
    pendingBytes_ -= data.size();
    space_.notify_all();
    return st.WithContext("staging " + key);
  }
  auto [it, fresh] = items_.try_emplace(key);
  if (!fresh) {  // deleted while in flight and staged again: upload once more afterwards
    pendingBytes_ -= data.size();
    it->second.deleted = false;
    return Status::OK();
  }
  it->second.size = data.size();
  Schedule(key, draining_ ? Clock::now() : Clock::now() + opts_.uploadDelay);
  return Status::OK();
}

Result<std::string> WritebackStore::get(const std::string& key, uint64_t off, int64_t len) {
  bool staged;
  {
    std::lock_guard lk(mu_);
    auto it = items_.find(key);
    staged = it != items_.end() && !it->second.deleted;
  }
  if (staged) {
    int fd = ::open(PathOf(key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat sb;
      std::string out;
      Status st;
      if (::fstat(fd, &sb) != 0) st = Errno("stat staged " + key);
      const uint64_t size = static_cast<uint64_t>(sb.st_size);
      uint64_t n = off >= size ? 0 : size - off;
      if (len >= 0 && static_cast<uint64_t>(len) < n) n = static_cast<uint64_t>(len);
      out.resize(st.ok() ? n : 0);
      size_t done = 0;
      while (st.ok() && done < n) {
        ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          st = r < 0 ? Errno("read staged " + key) : Status::Error(EIO, "staged " + key + " shrank");
          break;
        }
        done += static_cast<size_t>(r);
      }
      ::close(fd);
      if (!st.ok()) return Err(st);
      return out;
    }
    // Uploaded and removed meanwhile: the inner store has it.
  }
  return inner().get(key, off, len);
}

Result<ObjectInfo> WritebackStore::head(const std::string& key) {
  {
    std::lock_guard lk(mu_);
    auto it = items_.find(key);
    if (it != items_.end() && !it->second.deleted) return ObjectInfo{key, it->second.size, 0};
  }
  return inner().head(key);
}

Status WritebackStore::del(const std::string& key) {
  {
    std::lock_guard lk(mu_);
    auto it = items_.find(key);
    if (it != items_.end()) {
      if (it->second.inFlight) {
        it->second.deleted = true;  // the worker deletes it from the inner store after the upload
        return Status::OK();
      }
      for (auto q = queue_.equal_range(it->second.due); q.first != q.second; ++q.first) {
        if (q.first->second == key) {
          queue_.erase(q.first);
          break;
        }
      }
      pendingBytes_ -= it->second.size;
      if (it->second.leftover && leftoversLeft_ > 0) leftoversLeft_--;
      const bool leftover = it->second.leftover;
      items_.erase(it);
      stats_.droppedUnuploaded++;
      ::unlink(PathOf(key).c_str());
      space_.notify_all();
      // A leftover may have been uploaded by the earlier process just before it died.
      if (!leftover) return Status::OK();
    }
  }
  return inner().del(key);
}

void WritebackStore::Worker() {
  std::chrono::milliseconds backoff = opts_.retryMin;
  std::unique_lock lk(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      work_.wait(lk);
      continue;
    }
    auto first = queue_.begin();
    if (!draining_ && first->first > Clock::now()) {
      work_.wait_until(lk, first->first);
      continue;
    }
    const std::string key = first->second;
    queue_.erase(first);
    Item& item = items_[key];
    item.inFlight = true;
    lk.unlock();
    Status st;
    auto data = [&]() -> Result<std::string> {
      std::string out;
      int fd = ::open(PathOf(key).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Err(Errno("open staged " + key));
      char buf[1 << 16];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          ::close(fd);
          return Err(Errno("read staged " + key));
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
      }
      ::close(fd);
      return out;
    }();
    st = data ? inner().put(key, *data) : data.error();
    lk.lock();
    Item& done = items_[key];
    done.inFlight = false;
    if (!st.ok() && done.deleted) {  // deleted meanwhile: no need to store it any more
      pendingBytes_ -= done.size;
      if (done.leftover && leftoversLeft_ > 0) leftoversLeft_--;
      items_.erase(key);
      ::unlink(PathOf(key).c_str());
      stats_.droppedUnuploaded++;
      space_.notify_all();
      continue;
    }
    if (!st.ok()) {
      stats_.uploadErrors++;
      spdlog::warn("writeback: upload of {} failed (retrying in {} ms): {}", key, backoff.count(), st.ToString());
      Schedule(key, Clock::now() + backoff);
      backoff = std::min(backoff * 2, opts_.retryMax);
      // Do not spin while the store is down, even when draining.
      work_.wait_for(lk, backoff, [&] { return stop_; });
      continue;
    }
    backoff = opts_.retryMin;
    const bool deleted = done.deleted;
    const uint64_t size = done.size;
    if (done.leftover && leftoversLeft_ > 0) leftoversLeft_--;
    items_.erase(key);
    ::unlink(PathOf(key).c_str());  // only now: the inner store holds it
    pendingBytes_ -= size;
    stats_.uploaded++;
    space_.notify_all();
    if (deleted) {
      lk.unlock();
      Status ds = inner().del(key);
      if (!ds.ok()) spdlog::warn("writeback: delete of {} after its upload failed: {}", key, ds.ToString());
      lk.lock();
    }
  }
}

Status WritebackStore::Drain(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  draining_ = true;
  work_.notify_all();
  const bool ok = space_.wait_for(lk, timeout, [&] { return items_.empty() || stop_; });
  draining_ = false;
  if (!ok) {
    return Status::Error(ETIMEDOUT, std::to_string(items_.size()) + " staged blocks not uploaded yet (in " +
                                        opts_.dir + "; they upload at the next mount with this cache directory)");
  }
  return Status::OK();
}

Status WritebackStore::WaitForLeftovers(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  if (!space_.wait_for(lk, timeout, [&] { return leftoversLeft_ == 0 || stop_; })) {
    return Status::Error(ETIMEDOUT, std::to_string(leftoversLeft_) + " blocks staged by an earlier mount not uploaded yet");
  }
  return Status::OK();
}

WritebackStats WritebackStore::Stats() const {
  std::lock_guard lk(mu_);
  WritebackStats s = stats_;
  s.pendingBlocks = items_.size();
  s.pendingBytes = pendingBytes_;
  return s;
}

std::vector<std::string> WritebackStore::PendingKeys(size_t limit) const {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (const auto& [k, item] : items_) {
    if (out.size() >= limit) break;
    if (!item.deleted) out.push_back(k);
  }
  return out;
}

}  // namespace slicefs
