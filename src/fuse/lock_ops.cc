// FUSE callbacks for locks: fcntl record locks (getlk/setlk) and flock.
// A blocking request registers an interrupt callback, so a signal to the
// waiting process (or its death) ends the wait with EINTR instead of holding
// a FUSE worker thread forever.
#include <fcntl.h>
#include <sys/file.h>

#include <cstdint>

#include "fuse/fuse_internal.h"

namespace slicefs::fusead {
namespace {

struct InterruptArg {
  Vfs* vfs;
  uint64_t owner;
};

void OnInterrupt(fuse_req_t, void* data) {
  auto* a = static_cast<InterruptArg*>(data);
  a->vfs->InterruptLock(a->owner);
}

void Range(const struct flock* lk, uint64_t* start, uint64_t* end) {
  *start = static_cast<uint64_t>(lk->l_start);
  *end = lk->l_len == 0 ? UINT64_MAX : static_cast<uint64_t>(lk->l_start + lk->l_len - 1);
}

void GetLk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock) {
  uint64_t start, end;
  Range(lock, &start, &end);
  int type = lock->l_type;
  uint32_t pid = static_cast<uint32_t>(lock->l_pid);
  Status st = V(req).Getlk(MakeCtx(req), fi->fh, fi->lock_owner, &type, &start, &end, &pid);
  if (!st.ok()) return ReplyErr(req, st);
  struct flock out = *lock;
  out.l_type = static_cast<short>(type);
  if (type != F_UNLCK) {
    out.l_whence = SEEK_SET;
    out.l_start = static_cast<off_t>(start);
    out.l_len = end == UINT64_MAX ? 0 : static_cast<off_t>(end - start + 1);
    out.l_pid = static_cast<pid_t>(pid);
  }
  fuse_reply_lock(req, &out);
}

void SetLk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock, int sleep) {
  uint64_t start, end;
  Range(lock, &start, &end);
  InterruptArg arg{&V(req), fi->lock_owner};
  if (sleep) fuse_req_interrupt_func(req, OnInterrupt, &arg);
  Status st = V(req).Setlk(MakeCtx(req), fi->fh, fi->lock_owner, sleep != 0, lock->l_type, start,
                           end, static_cast<uint32_t>(lock->l_pid));
  ReplyErr(req, st);
}

void Flock(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, int op) {
  int type = F_UNLCK;
  if (op & LOCK_SH) type = F_RDLCK;
  if (op & LOCK_EX) type = F_WRLCK;
  bool block = !(op & LOCK_NB) && type != F_UNLCK;
  InterruptArg arg{&V(req), Vfs::FlockOwner(fi->fh)};
  if (block) fuse_req_interrupt_func(req, OnInterrupt, &arg);
  ReplyErr(req, V(req).Flock(MakeCtx(req), fi->fh, type, block));
}

}  // namespace

void AddLockOps(fuse_lowlevel_ops& ops) {
  ops.getlk = GetLk;
  ops.setlk = SetLk;
  ops.flock = Flock;
}

}  // namespace slicefs::fusead
