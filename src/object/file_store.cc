#include "object/file_store.h"

#include "common/buffer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>

namespace slicefs {

namespace {

Status FromErrno(int err, const std::string& what) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == EAGAIN || err == EINTR || err == EBUSY || err == EIO || err == EMFILE ||
      err == ENFILE) {
    return Status::Retryable(err == EMFILE || err == ENFILE ? EAGAIN : err, msg);
  }
  return Status::Error(err, msg);
}

// mkdir -p for the directory part of `path` (everything before the last '/').
Status MakeParents(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Status::OK();
  std::string dir = path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return Status::OK();
  for (size_t i = 1; i <= dir.size(); i++) {
    if (i == dir.size() || dir[i] == '/') {
      std::string part = dir.substr(0, i);
      if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
        return FromErrno(errno, "mkdir " + part);
      }
    }
  }
  return Status::OK();
}

std::string TmpName() {
  static std::atomic<uint64_t> seq{0};
  thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%d-%llu-%llx", static_cast<int>(getpid()),
                static_cast<unsigned long long>(seq++), static_cast<unsigned long long>(rng()));
  return buf;
}

Status WriteAll(int fd, std::span<const char> data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, "write " + what);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

FileStore::FileStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

Status FileStore::CheckKey(const std::string& key) const {
  if (key.empty() || key.front() == '/' || key.back() == '/' || key.find("//") != std::string::npos ||
      key.find('\0') != std::string::npos) {
    return Status::Invalid("bad object key '" + key + "'");
  }
  if (key.rfind(kTmpDir, 0) == 0) return Status::Invalid("reserved object key '" + key + "'");
  // No "." or ".." path components.
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string_view comp(key.data() + start, end - start);
    if (comp == "." || comp == "..") return Status::Invalid("bad object key '" + key + "'");
    start = end + 1;
  }
  return Status::OK();
}

Status FileStore::create() {
  RETURN_IF_ERROR(MakeParents(root_ + "/" + kTmpDir + "/x"));
  return Status::OK();
}

Status FileStore::put(const std::string& key, std::span<const char> data) {
  RETURN_IF_ERROR(CheckKey(key));
  std::string tmp = root_ + "/" + kTmpDir + "/" + TmpName();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == ENOENT) {
    RETURN_IF_ERROR(create());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  }
  if (fd < 0) return FromErrno(errno, "create " + tmp);
  Status st = WriteAll(fd, data, tmp);
  // Blocks are made durable by sync() (fsync of a file), not one by one.
  const bool block = key.find("/chunks/") != std::string::npos;
  if (st.ok() && !block && ::fsync(fd) != 0) st = FromErrno(errno, "fsync " + tmp);
  if (::close(fd) != 0 && st.ok()) st = FromErrno(errno, "close " + tmp);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  std::string path = PathOf(key);
  // A concurrent del() may remove an empty parent between mkdir and rename.
  for (int attempt = 0;; attempt++) {
    st = MakeParents(path);
    if (st.ok() && ::rename(tmp.c_str(), path.c_str()) == 0) return Status::OK();
    if (st.ok()) st = FromErrno(errno, "rename to " + path);
    if (!st.is(ENOENT) || attempt >= 3) break;
  }
  ::unlink(tmp.c_str());
  return st;
}

Status FileStore::sync() {
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FromErrno(errno, "open " + root_);
  Status st = ::syncfs(fd) == 0 ? Status::OK() : FromErrno(errno, "syncfs " + root_);
  ::close(fd);
  return st;
}

Result<std::string> FileStore::get(const std::string& key, uint64_t off, int64_t len) {
  if (Status _s = CheckKey(key); !_s.ok()) return Err(_s);
  std::string path = PathOf(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Err(ENOENT, "no such object: " + key);
    return Err(FromErrno(errno, "open " + path));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Err(ENOENT, "no such object: " + key);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t n = off >= size ? 0 : size - off;
  if (len >= 0 && static_cast<uint64_t>(len) < n) n = static_cast<uint64_t>(len);
  // Ask for the whole range at once: a cold multi-MiB read then goes to the
  // disk as a few large requests instead of readahead-window-sized steps.
  if (n >= (1u << 20)) {
    (void)::posix_fadvise(fd, static_cast<off_t>(off), static_cast<off_t>(n), POSIX_FADV_WILLNEED);
  }
  int readErr = 0;
  std::string out = FilledBuffer(n, [&](char* p, size_t cap) {
    size_t done = 0;
    while (done < cap) {
      ssize_t r = ::pread(fd, p + done, cap - done, static_cast<off_t>(off + done));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) readErr = errno;
      if (r <= 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  });
  ::close(fd);
  if (readErr != 0) return Err(FromErrno(readErr, "read " + path));
  return out;
}

Status FileStore::del(const std::string& key) {
  RETURN_IF_ERROR(CheckKey(key));
  std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
    return FromErrno(errno, "unlink " + path);
  }
  // Remove parents that became empty (rmdir fails harmlessly otherwise).
  std::string dir = path;
  for (;;) {
    size_t slash = dir.rfind('/');
    if (slash == std::string::npos || slash <= root_.size()) break;
    dir.resize(slash);
    if (::rmdir(dir.c_str()) != 0) break;
  }
  return Status::OK();
}

Result<ObjectInfo> FileStore::head(const std::string& key) {
  if (Status _s = CheckKey(key); !_s.ok()) return Err(_s);
  struct stat st;
  if (::stat(PathOf(key).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Err(ENOENT, "no such object: " + key);
    return Err(FromErrno(errno, "stat " + PathOf(key)));
  }
  if (!S_ISREG(st.st_mode)) return Err(ENOENT, "no such object: " + key);
  return ObjectInfo{key, static_cast<uint64_t>(st.st_size),
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

namespace {

struct Walker {
  const std::string& root;
  const std::string& prefix;
  const std::string& startAfter;
  size_t limit;
  ListPage* page;
  bool done = false;

  // Walks directory ROOT/dirKey (dirKey is "" or ends with '/').
  Status Walk(const std::string& dirKey) {
    std::string path = dirKey.empty() ? root : root + "/" + dirKey.substr(0, dirKey.size() - 1);
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
      return FromErrno(errno, "opendir " + path);
    }
    // (sort name, is dir)
    std::vector<std::pair<std::string, bool>> ents;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (dirKey.empty() && name == FileStore::kTmpDir) continue;
      bool isDir;
      if (e->d_type == DT_DIR) {
        isDir = true;
      } else if (e->d_type == DT_REG) {
        isDir = false;
      } else {
        struct stat st;
        if (::stat((path + "/" + name).c_str(), &st) != 0) continue;
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
        isDir = S_ISDIR(st.st_mode);
      }
      ents.emplace_back(isDir ? name + "/" : name, isDir);
    }
    ::closedir(d);
    std::sort(ents.begin(), ents.end());
    for (auto& [name, isDir] : ents) {
      if (done) break;
      std::string key = dirKey + name;
      // Prefix filter: the key (or subtree) must be compatible with prefix.
      size_t common = std::min(key.size(), prefix.size());
      if (key.compare(0, common, prefix, 0, common) != 0) {
        if (key.substr(0, common) > prefix.substr(0, common)) {
          done = true;  // everything later sorts after the prefix range
        }
        continue;
      }
      if (isDir) {
        // Skip a subtree whose every key sorts at or before startAfter.
        if (!startAfter.empty() && key < startAfter && startAfter.compare(0, key.size(), key) != 0) continue;
        if (Status _s = Walk(key); !_s.ok()) return Err(_s);
      } else {
        if (key.size() < prefix.size()) continue;
        if (!startAfter.empty() && key <= startAfter) continue;
        if (page->objects.size() >= limit) {
          page->truncated = true;
          done = true;
          break;
        }
        struct stat st;
        if (::stat((root + "/" + key).c_str(), &st) != 0) continue;  // deleted meanwhile
        page->objects.push_back(
            {key, static_cast<uint64_t>(st.st_size),
             static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec});
      }
    }
    return Status::OK();
  }
};

}  // namespace

Result<ListPage> FileStore::list(const std::string& prefix, const std::string& startAfter,
                                 size_t limit) {
  ListPage page;
  if (limit == 0) return page;
  Walker w{root_, prefix, startAfter, limit, &page};
  // Start at the deepest directory named wholly by the prefix.
  size_t slash = prefix.rfind('/');
  std::string start = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
  if (!start.empty() && start.find("//") != std::string::npos) return page;
  if (Status _s = w.Walk(start); !_s.ok()) return Err(_s);
  return page;
}

}  // namespace slicefs
