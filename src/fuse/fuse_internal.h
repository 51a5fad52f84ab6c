// Shared helpers of the FUSE adapter (src/fuse/*.cc only).
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <sys/stat.h>

#include <mutex>
#include <unordered_map>

#include "fuse/fuse_server.h"
#include "vfs/vfs.h"

namespace slicefs::fusead {

// The per-session state reachable from every request (fuse_req_userdata).
struct FuseFs {
  Vfs* vfs = nullptr;
  FuseServerOptions opts;
  fuse_session* se = nullptr;

  // pid -> (supplementary groups, fetched at); bounded, short-lived.
  std::mutex groupsMu;
  std::unordered_map<uint32_t, std::pair<std::vector<uint32_t>, int64_t>> groups;
};

FuseFs& Fs(fuse_req_t req);
Vfs& V(fuse_req_t req);
// Caller's credentials, with supplementary groups for non-root callers.
Ctx MakeCtx(fuse_req_t req);
uint32_t Umask(fuse_req_t req);

void ReplyErr(fuse_req_t req, const Status& st);
void ReplyErrno(fuse_req_t req, int err);
void FillStat(Ino ino, const Attr& a, struct stat* st);
void FillEntry(fuse_req_t req, const Entry& e, fuse_entry_param* p);
void ReplyEntry(fuse_req_t req, const Entry& e);
void ReplyAttr(fuse_req_t req, Ino ino, const Attr& a);

// Each file fills its group of callbacks.
void AddEntryOps(fuse_lowlevel_ops& ops);
void AddFileOps(fuse_lowlevel_ops& ops);
void AddDirOps(fuse_lowlevel_ops& ops);
void AddXattrOps(fuse_lowlevel_ops& ops);
void AddLockOps(fuse_lowlevel_ops& ops);
void AddIoctlOps(fuse_lowlevel_ops& ops);  // ioctl_ops.cc: chattr/lsattr flags

// The session kernel_notify.cc's hooks notify (nullptr: none).
void SetNotifySession(fuse_session* se);
// Drops the kernel's cached attributes of ino (not its page cache); safe
// from a worker handling a request on ino. No-op without a session.
void NotifyAttrsChanged(Ino ino);

}  // namespace slicefs::fusead
