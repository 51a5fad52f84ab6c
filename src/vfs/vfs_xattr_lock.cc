// Vfs: extended attributes (plus the root's virtual ones) and locks.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "common/url.h"
#include "vfs/vfs.h"

namespace slicefs {

Result<std::string> Vfs::GetXattr(const Ctx& ctx, Ino ino, std::string_view name) {
  if (ino == kRootIno && name == kXattrControl && !controlSocket_.empty()) return controlSocket_;
  if (ino == kRootIno && (name == kXattrMetaUrl || name == kXattrPid)) {
    if (ctx.uid != 0 && ctx.uid != ownerUid_) return Err(ENODATA, "no such attribute");
    // Never the password (issue #14): tools that need the full URL ask the
    // control channel's "meta-url" command.
    if (name == kXattrMetaUrl) return RedactedUrl(metaUrl_);
    return std::to_string(getpid());
  }
  return meta_->GetXattr(ctx, ino, name);
}

Status Vfs::SetXattr(const Ctx& ctx, Ino ino, std::string_view name, std::string_view value,
                     int flags) {
  if (ino == kRootIno && (name == kXattrMetaUrl || name == kXattrPid || name == kXattrControl)) {
    return Status::Error(EPERM, "reserved attribute");
  }
  return meta_->SetXattr(ctx, ino, name, value, flags);
}

Result<std::vector<std::string>> Vfs::ListXattr(const Ctx& ctx, Ino ino) {
  return meta_->ListXattr(ctx, ino);
}

Status Vfs::RemoveXattr(const Ctx& ctx, Ino ino, std::string_view name) {
  return meta_->RemoveXattr(ctx, ino, name);
}

Status Vfs::Flock(const Ctx& ctx, uint64_t fh, int type, bool block) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  Status st;
  for (int tries = 0;; tries++) {
    const uint64_t gen = flockWaits_.Generation();
    st = meta_->Flock(ctx, h->ino, FlockOwner(fh), type, block);
    if (block || !st.is(EAGAIN) || tries == 20) break;
    // The holder may be a description of this client that the caller has
    // closed already: RELEASE is asynchronous, so close(2) returns before
    // the unlock, and the RELEASE may not even have reached Release() yet
    // (another worker took this request first). Wait for a running release;
    // when another handle here holds a flock, give its release a short
    // grace (once) to start.
    auto grace = tries == 0 ? kFlockReleaseGrace : std::chrono::milliseconds(0);
    if (!flockWaits_.WaitForRelease(h->ino, gen, h->flocked.load(), grace)) break;
  }
  if (st.ok()) {
    // Only a handle that holds a lock pays for an unlock at its release.
    const bool holds = type != F_UNLCK;
    if (h->flocked.exchange(holds) != holds) {
      if (holds) flockWaits_.Granted(h->ino);
      else flockWaits_.Dropped(h->ino);
    }
  }
  return st;
}

Status Vfs::Getlk(const Ctx& ctx, uint64_t fh, uint64_t owner, int* type, uint64_t* start,
                  uint64_t* end, uint32_t* pid) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  return meta_->Getlk(ctx, h->ino, owner, type, start, end, pid);
}

Status Vfs::Setlk(const Ctx& ctx, uint64_t fh, uint64_t owner, bool block, int type,
                  uint64_t start, uint64_t end, uint32_t pid) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  if (type == F_RDLCK && (h->flags & O_ACCMODE) == O_WRONLY) {
    return Status::Error(EBADF, "read lock needs a readable descriptor");
  }
  if (type == F_WRLCK && !h->writable()) {
    return Status::Error(EBADF, "write lock needs a writable descriptor");
  }
  if (type != F_UNLCK) {
    std::lock_guard lk(h->inode->mu);
    h->inode->posixLocks = true;
  }
  return meta_->Setlk(ctx, h->ino, owner, block, type, start, end, pid);
}

}  // namespace slicefs
