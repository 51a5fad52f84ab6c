// FUSE callbacks for open files: create, open, read, write, flush, release,
// fsync, fallocate, copy_file_range.
#include <fcntl.h>

#include <vector>

#include "fuse/fuse_internal.h"
#include "fuse/op_trace.h"

namespace slicefs::fusead {
namespace {

void SetOpenFlags(const OpenedFile& of, fuse_file_info* fi) {
  fi->fh = of.fh;
  fi->keep_cache = of.keepCache ? 1 : 0;
  fi->direct_io = 0;
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  auto r = V(req).Create(MakeCtx(req), parent, name, mode, Umask(req), fi->flags);
  if (!r) return ReplyErr(req, r.error());
  SetOpenFlags(r->second, fi);
  fuse_entry_param p;
  FillEntry(req, r->first, &p);
  if (fuse_reply_create(req, &p, fi) != 0) {
    // The kernel gave up on the request (interrupted): drop the handle.
    (void)V(req).Release(fi->fh);
  }
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto r = V(req).Open(MakeCtx(req), ino, fi->flags);
  if (!r) return ReplyErr(req, r.error());
  if (!r->keepCache) {
    // Close-to-open: the file may have changed elsewhere, and the kernel
    // may hold its old size for the attribute timeout. Drop the cached
    // attributes (offset < 0: attributes only; pages are dropped by the
    // open reply without keep_cache). Safe here: it takes no inode lock.
    fuse_lowlevel_notify_inval_inode(Fs(req).se, ino, -1, 0);
  }
  SetOpenFlags(*r, fi);
  if (fuse_reply_open(req, fi) != 0) (void)V(req).Release(fi->fh);
}

void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  thread_local std::vector<char> buf;
  if (buf.size() < size) buf.resize(size);
  auto n = V(req).Read(fi->fh, static_cast<uint64_t>(off), std::span<char>(buf.data(), size));
  if (!n) return ReplyErr(req, n.error());
  NoteReplySize(*n);
  fuse_reply_buf(req, buf.data(), *n);
  // Do not let one huge request pin memory in every worker thread forever.
  if (buf.size() > (4u << 20)) std::vector<char>().swap(buf);
}

void Write(fuse_req_t req, fuse_ino_t, const char* data, size_t size, off_t off,
           fuse_file_info* fi) {
  auto n = V(req).Write(fi->fh, static_cast<uint64_t>(off), std::span<const char>(data, size));
  if (!n) return ReplyErr(req, n.error());
  NoteReplySize(*n);
  fuse_reply_write(req, *n);
}

void Flush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  ReplyErr(req, V(req).Flush(fi->fh, fi->lock_owner));
}

void Release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  // Release drops the handle's flock itself (fi->flock_release and
  // fi->lock_owner are not needed: the flock owner is the handle).
  ReplyErr(req, V(req).Release(fi->fh));
}

void Fsync(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) {
  ReplyErr(req, V(req).Fsync(fi->fh, datasync != 0));
}

void Fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t off, off_t len, fuse_file_info* fi) {
  if (off < 0 || len <= 0) return ReplyErrno(req, EINVAL);
  ReplyErr(req, V(req).Fallocate(MakeCtx(req), fi->fh, mode, off, len));
}

void CopyFileRange(fuse_req_t req, fuse_ino_t, off_t offIn, fuse_file_info* fiIn, fuse_ino_t,
                   off_t offOut, fuse_file_info* fiOut, size_t len, int flags) {
  if (flags != 0) return ReplyErrno(req, EINVAL);
  auto n = V(req).CopyFileRange(MakeCtx(req), fiIn->fh, offIn, fiOut->fh, offOut, len);
  if (!n) return ReplyErr(req, n.error());
  fuse_reply_write(req, *n);
}

}  // namespace

void AddFileOps(fuse_lowlevel_ops& ops) {
  ops.create = Create;
  ops.open = Open;
  ops.read = Read;
  ops.write = Write;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = Fsync;
  ops.fallocate = Fallocate;
  ops.copy_file_range = CopyFileRange;
}

}  // namespace slicefs::fusead
