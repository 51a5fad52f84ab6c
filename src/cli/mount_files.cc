#include "cli/mount_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <sstream>
#include <thread>

#include "cli/mount_util.h"

namespace slicefs::cli {

Result<std::string> SlicefsMountRoot(const std::string& path) {
  auto root = FindMountRoot(path);
  if (!root) return Err(EINVAL, root.error().message() + " (give a slicefs mount point)");
  if (::access((*root + "/.stats").c_str(), F_OK) != 0) {
    return Err(EINVAL, path + " is not inside a slicefs mount with internal files (no .stats at " + *root + ")");
  }
  return *root;
}

Result<std::string> ReadMountFile(const std::string& root, const std::string& name) {
  const std::string p = root + "/" + name;
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno, "cannot open " + p + ": " + std::strerror(errno));
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Err(e, "cannot read " + p + ": " + std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, n);
  }
  ::close(fd);
  return out;
}

StatsSample ParseStats(const std::string& text) {
  StatsSample s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.rfind(' ');
    if (line.empty() || line[0] == '#' || sp == std::string::npos) continue;
    s[line.substr(0, sp)] = std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return s;
}

double SumOf(const StatsSample& s, const std::string& name, const std::string& needle) {
  double sum = 0;
  for (auto it = s.lower_bound(name); it != s.end() && it->first.compare(0, name.size(), name) == 0; ++it) {
    const std::string& k = it->first;
    if (k.size() != name.size() && k[name.size()] != '{') continue;
    if (!needle.empty() && k.find(needle) == std::string::npos) continue;
    sum += it->second;
  }
  return sum;
}

std::vector<CostRow> MountCostRows(const StatsSample& before, const StatsSample& after) {
  struct Item {
    const char* name;
    const char* histogram;
    const char* needle;
  };
  const Item items[] = {{"FUSE operation", "slicefs_fuse_op_duration_seconds", ""},
                        {"Update meta", "slicefs_meta_txn_duration_seconds", ""},
                        {"Put object", "slicefs_object_request_duration_seconds", "method=\"PUT\""},
                        {"Get object", "slicefs_object_request_duration_seconds", "method=\"GET\""},
                        {"Delete object", "slicefs_object_request_duration_seconds", "method=\"DELETE\""}};
  std::vector<CostRow> rows;
  for (const Item& it : items) {
    const std::string h = it.histogram;
    double n = SumOf(after, h + "_count", it.needle) - SumOf(before, h + "_count", it.needle);
    double s = SumOf(after, h + "_sum", it.needle) - SumOf(before, h + "_sum", it.needle);
    if (n <= 0) continue;
    char v[64], c[64];
    std::snprintf(v, sizeof v, "%.0f operations", n);
    std::snprintf(c, sizeof c, "%.2f ms/op", s / n * 1000);
    rows.push_back({it.name, v, c});
  }
  return rows;
}

Result<std::shared_ptr<AccessLogTail>> AccessLogTail::Open(const std::string& root) {
  const std::string file = root + "/.accesslog";
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Err(errno, "cannot open " + file + ": " + std::strerror(errno));
  auto t = std::make_shared<AccessLogTail>();
  std::thread(Loop, t, fd).detach();
  return t;
}

void AccessLogTail::Loop(std::shared_ptr<AccessLogTail> self, int fd) {
  std::string partial;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lk(self->mu_);
    if (n <= 0) {
      if (n < 0) self->error_ = std::strerror(errno);
      self->ended_ = true;
      ::close(fd);
      return;
    }
    partial.append(buf, n);
    size_t start = 0, nl;
    while ((nl = partial.find('\n', start)) != std::string::npos) {
      if (self->bytes_ + nl - start > kMaxBytes) {
        self->dropped_++;
      } else {
        self->lines_.push_back(partial.substr(start, nl - start));
        self->bytes_ += nl - start;
      }
      start = nl + 1;
    }
    partial.erase(0, start);
  }
}

std::vector<std::string> AccessLogTail::Take(bool* ended, std::string* error) {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  out.swap(lines_);
  bytes_ = 0;
  if (ended) *ended = ended_;
  if (error) *error = error_;
  return out;
}

uint64_t AccessLogTail::dropped() {
  std::lock_guard lk(mu_);
  return dropped_;
}

}  // namespace slicefs::cli
