// Vfs: open files. Reads and writes go to the DataStore; flush/fsync/close
// wait until the data is committed to metadata (close-to-open).
#include <fcntl.h>

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "vfs/vfs.h"

#include "common/clock.h"

namespace slicefs {


Result<std::pair<Entry, OpenedFile>> Vfs::Create(const Ctx& ctx, Ino parent, std::string_view name,
                                                 uint32_t mode, uint32_t cumask, int flags) {
  ASSIGN_OR_RETURN(Entry e, meta_->Create(ctx, parent, name, mode, cumask, flags));
  if ((flags & O_TRUNC) && e.attr.length > 0) {
    // An existing file opened through O_CREAT|O_TRUNC.
    if (Status st = data_->Flush(e.ino); !st.ok()) return Err(st);
    auto a = meta_->Truncate(ctx, e.ino, 0, /*checkPerm=*/false);
    if (!a) {
      (void)meta_->Close(e.ino);
      return Err(a.error());
    }
    data_->Invalidate(e.ino);
    e.attr = *a;
  }
  e.attr = Merge(e.ino, e.attr);
  OpenedFile of;
  of.attr = e.attr;
  of.keepCache = false;
  data_->Invalidate(e.ino);
  RememberCached(e.ino, e.attr);
  of.fh = handles_.AddFile(e.ino, flags, e.attr.length);
  return std::make_pair(e, of);
}

Result<OpenedFile> Vfs::Open(const Ctx& ctx, Ino ino, int flags) {
  ASSIGN_OR_RETURN(Attr a, meta_->Open(ctx, ino, flags));
  // O_TRUNC truncates whatever the access mode (O_RDONLY|O_TRUNC too, as
  // Linux does; Meta::Open required write permission for it).
  if ((flags & O_TRUNC) && a.type == FileType::kFile) {
    Status st = data_->Flush(ino);
    Result<Attr> t = st.ok() ? meta_->Truncate(ctx, ino, 0, /*checkPerm=*/false) : Err(st);
    if (!t) {
      (void)meta_->Close(ino);
      return Err(t.error());
    }
    data_->Invalidate(ino);
    a = *t;
    NoteLength(ino, 0);
  }
  a = Merge(ino, a);
  OpenedFile of;
  of.attr = a;
  of.keepCache = CacheStillValid(ino, a);
  if (!of.keepCache) {
    // Another client may have changed the file: drop our cached blocks and
    // chunk maps so reads see its committed data.
    data_->Invalidate(ino);
    RememberCached(ino, a);
  }
  of.fh = handles_.AddFile(ino, flags, a.length);
  return of;
}

Result<size_t> Vfs::Read(uint64_t fh, uint64_t off, std::span<char> out) {
  auto h = handles_.File(fh);
  if (!h) return Err(EBADF, "unknown file handle");
  if ((h->flags & O_ACCMODE) == O_WRONLY) return Err(EBADF, "handle not open for reading");
  uint64_t len;
  {
    std::lock_guard lk(h->inode->mu);
    len = h->inode->length;
  }
  len = std::max(len, data_->PendingLength(h->ino));
  if (off >= len || out.empty()) return size_t{0};
  return data_->Read(h->ino, off, out, len);
}

Result<size_t> Vfs::Write(uint64_t fh, uint64_t off, std::span<const char> data) {
  auto h = handles_.File(fh);
  if (!h) return Err(EBADF, "unknown file handle");
  if (!h->writable()) return Err(EBADF, "handle not open for writing");
  auto& st = *h->inode;
  {  // directory quotas (EDQUOT) before the data is buffered
    uint64_t end;
    {
      std::lock_guard lk(st.mu);
      end = h->append() ? std::max(st.length, data_->PendingLength(h->ino)) : off;
    }
    if (Status q = meta_->CheckWriteQuota(h->ino, end + data.size()); !q.ok()) return Err(q);
  }
  size_t n = 0;
  if (h->append()) {
    // The end of the file and the write must be one step for this client.
    std::lock_guard lk(st.mu);
    off = std::max(st.length, data_->PendingLength(h->ino));
    ASSIGN_OR_RETURN(n, data_->Write(h->ino, off, data));
    st.length = std::max(st.length, off + n);
    st.dirtyMtimeNs = WallNs();
  } else {
    ASSIGN_OR_RETURN(n, data_->Write(h->ino, off, data));
    std::lock_guard lk(st.mu);
    st.length = std::max(st.length, off + n);
    st.dirtyMtimeNs = WallNs();
  }
  h->wrote.store(true, std::memory_order_relaxed);
  if (h->flags & (O_SYNC | O_DSYNC)) {
    // O_SYNC / O_DSYNC: each write is committed and durable when it returns.
    if (Status st = data_->Flush(h->ino); !st.ok()) return Err(st);
    if (Status st = data_->SyncObjects(); !st.ok()) return Err(st);
  }
  return n;
}

Status Vfs::Flush(uint64_t fh, uint64_t lockOwner) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  Status result;
  if (h->wrote.load(std::memory_order_relaxed)) {
    result = data_->Flush(h->ino);
    if (result.ok()) {
      if (data_->PendingLength(h->ino) == 0) {
        std::lock_guard lk(h->inode->mu);
        h->inode->dirtyMtimeNs = 0;
      }
      // Our own writes are in the kernel's page cache; keep it next open.
      if (auto a = meta_->GetAttr(Ctx::Root(), h->ino)) RememberCached(h->ino, *a);
    }
  }
  bool locks;
  {
    std::lock_guard lk(h->inode->mu);
    locks = h->inode->posixLocks;
  }
  if (locks) {
    // close(2) drops every POSIX lock the process holds on the file.
    Status st = meta_->Setlk(Ctx::Root(), h->ino, lockOwner, false, F_UNLCK, 0, UINT64_MAX, 0);
    if (!st.ok()) spdlog::warn("releasing locks of inode {} on close: {}", h->ino, st.ToString());
  }
  return result;
}

Status Vfs::Fsync(uint64_t fh, bool datasync) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  // Close-to-open needs only the commit; fsync also makes the objects
  // durable (the `file` store does not fsync blocks at put).
  RETURN_IF_ERROR(data_->Flush(h->ino));
  return data_->SyncObjects();
}

Status Vfs::Release(uint64_t fh) {
  auto h = handles_.RemoveFile(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  const bool flocked = h->flocked.load();
  // close(2) has returned already (RELEASE is asynchronous): a flock
  // attempt on this inode that conflicts now waits for this unlock.
  if (flocked) flockWaits_.ReleaseStarted(h->ino);
  Status result;
  if (h->wrote.load(std::memory_order_relaxed)) {
    result = data_->Flush(h->ino);
    if (!result.ok()) spdlog::error("flush of inode {} at close: {}", h->ino, result.ToString());
  }
  if (flocked) {
    // The last close of the description drops its flock (and only its own).
    Status fl = meta_->Flock(Ctx::Root(), h->ino, FlockOwner(fh), F_UNLCK, false);
    if (!fl.ok()) spdlog::warn("releasing flock of inode {} on close: {}", h->ino, fl.ToString());
    flockWaits_.ReleaseEnded(h->ino);
  }
  Status st = meta_->Close(h->ino);
  if (!st.ok()) spdlog::warn("close of inode {}: {}", h->ino, st.ToString());
  return result.ok() ? st : result;
}

Status Vfs::Fallocate(const Ctx& ctx, uint64_t fh, int mode, uint64_t off, uint64_t len) {
  auto h = handles_.File(fh);
  if (!h) return Status::Error(EBADF, "unknown file handle");
  if (!h->writable()) return Status::Error(EBADF, "handle not open for writing");
  RETURN_IF_ERROR(data_->Flush(h->ino));
  RETURN_IF_ERROR(meta_->Fallocate(ctx, h->ino, mode, off, len));
  data_->Invalidate(h->ino);
  if (auto a = meta_->GetAttr(Ctx::Root(), h->ino)) NoteLength(h->ino, a->length);
  return Status::OK();
}

Result<uint64_t> Vfs::CopyFileRange(const Ctx& ctx, uint64_t fhIn, uint64_t offIn, uint64_t fhOut,
                                    uint64_t offOut, uint64_t len) {
  auto in = handles_.File(fhIn);
  auto out = handles_.File(fhOut);
  if (!in || !out) return Err(EBADF, "unknown file handle");
  if ((in->flags & O_ACCMODE) == O_WRONLY || !out->writable() || out->append()) {
    return Err(EBADF, "copy_file_range: bad handle modes");
  }
  if (Status st = data_->Flush(in->ino); !st.ok()) return Err(st);
  if (out->ino != in->ino) {
    if (Status st = data_->Flush(out->ino); !st.ok()) return Err(st);
  }
  ASSIGN_OR_RETURN(uint64_t n, meta_->CopyFileRange(ctx, in->ino, offIn, out->ino, offOut, len));
  data_->Invalidate(out->ino);
  if (auto a = meta_->GetAttr(Ctx::Root(), out->ino)) NoteLength(out->ino, a->length);
  return n;
}

}  // namespace slicefs
