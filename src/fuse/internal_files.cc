#include "fuse/internal_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace slicefs::fusead {

namespace {
struct Spec {
  const char* name;
  Ino ino;
  uint32_t mode;
};
// .accesslog shows every user's operations and .config the mount's paths:
// readable by the mount's owner only; .stats by everyone.
constexpr Spec kSpecs[] = {
    {".stats", kStatsIno, 0444}, {".accesslog", kAccessLogIno, 0400}, {".config", kConfigIno, 0400}};

const Spec* SpecOf(Ino ino) {
  for (auto& s : kSpecs)
    if (s.ino == ino) return &s;
  return nullptr;
}

struct InterruptArg {
  AccessLog* log;
  uint64_t reader;
};
void OnInterrupt(fuse_req_t, void* data) {
  auto* a = static_cast<InterruptArg*>(data);
  a->log->Interrupt(a->reader);
}
}  // namespace

Ino InternalIno(uint64_t parent, const char* name) {
  if (parent != kRootIno || name == nullptr || name[0] != '.') return 0;
  for (auto& s : kSpecs)
    if (std::strcmp(s.name, name) == 0) return s.ino;
  return 0;
}

InternalFiles::InternalFiles(std::string configJson, std::function<std::string()> stats, AccessLog* log,
                             uint32_t ownerUid, uint32_t ownerGid)
    : config_(std::move(configJson)),
      stats_(std::move(stats)),
      log_(log),
      uid_(ownerUid),
      gid_(ownerGid),
      mountTime_(::time(nullptr)) {}

struct stat InternalFiles::Stat(Ino ino) const {
  struct stat st = {};
  const Spec* s = SpecOf(ino);
  st.st_ino = ino;
  st.st_mode = S_IFREG | (s ? s->mode : 0400);
  st.st_nlink = 1;
  st.st_uid = uid_;
  st.st_gid = gid_;
  // .stats and .accesslog have no size until read; reads bypass the page
  // cache (direct_io), so the kernel does not stop at st_size.
  st.st_size = ino == kConfigIno ? static_cast<off_t>(config_.size()) : 0;
  st.st_blksize = 4096;
  st.st_atim.tv_sec = st.st_mtim.tv_sec = st.st_ctim.tv_sec = mountTime_;
  return st;
}

void InternalFiles::Lookup(fuse_req_t req, Ino ino) {
  fuse_entry_param p = {};
  p.ino = ino;
  p.generation = 1;
  p.attr = Stat(ino);
  p.attr_timeout = 0;
  p.entry_timeout = Fs(req).opts.entryTimeout;
  fuse_reply_entry(req, &p);
}

void InternalFiles::GetAttr(fuse_req_t req, Ino ino) {
  struct stat st = Stat(ino);
  fuse_reply_attr(req, &st, 0);
}

void InternalFiles::Access(fuse_req_t req, Ino ino, int mask) {
  ReplyErrno(req, (mask & (W_OK | X_OK)) ? EACCES : 0);
}

void InternalFiles::Open(fuse_req_t req, Ino ino, fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) return ReplyErrno(req, EACCES);
  Handle h;
  h.ino = ino;
  if (ino == kStatsIno) h.content = stats_();
  if (ino == kConfigIno) h.content = config_;
  if (ino == kAccessLogIno) h.reader = log_->Open();
  uint64_t fh;
  {
    std::lock_guard lk(mu_);
    fh = nextFh_++;
    handles_[fh] = std::move(h);
  }
  fi->fh = fh;
  fi->direct_io = 1;
  fi->keep_cache = 0;
  fi->nonseekable = ino == kAccessLogIno ? 1 : 0;
  if (fuse_reply_open(req, fi) != 0) {
    fuse_file_info copy = *fi;
    Release(nullptr, ino, &copy);
  }
}

void InternalFiles::Read(fuse_req_t req, Ino ino, size_t size, off_t off, fuse_file_info* fi) {
  uint64_t reader = 0;
  std::string out;
  {
    std::lock_guard lk(mu_);
    auto it = handles_.find(fi->fh);
    if (it == handles_.end()) return ReplyErrno(req, EBADF);
    if (ino != kAccessLogIno) {
      const std::string& c = it->second.content;
      size_t from = off < 0 ? c.size() : std::min(c.size(), static_cast<size_t>(off));
      size_t n = std::min(size, c.size() - from);
      out.assign(c, from, n);
    }
    reader = it->second.reader;
  }
  if (ino == kAccessLogIno) {
    InterruptArg arg{log_, reader};
    fuse_req_interrupt_func(req, OnInterrupt, &arg);
    fuse_session* se = Fs(req).se;
    // The interrupt callback wakes the read at once; polling
    // fuse_req_interrupted covers an interrupt that came before the wait.
    out = log_->Read(reader, size, [se, req] { return fuse_session_exited(se) != 0 || fuse_req_interrupted(req); });
    if (out.empty() && fuse_req_interrupted(req)) return ReplyErrno(req, EINTR);
  }
  fuse_reply_buf(req, out.data(), out.size());
}

void InternalFiles::Release(fuse_req_t req, Ino ino, fuse_file_info* fi) {
  uint64_t reader = 0;
  {
    std::lock_guard lk(mu_);
    auto it = handles_.find(fi->fh);
    if (it != handles_.end()) {
      reader = it->second.reader;
      handles_.erase(it);
    }
  }
  if (reader != 0) log_->Close(reader);
  if (req != nullptr) fuse_reply_err(req, 0);
}

}  // namespace slicefs::fusead
