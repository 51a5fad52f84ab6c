// The virtual filesystem: everything between a file-system request (from
// FUSE, the CLI tools, or later a gateway) and the metadata/data layers. It
// knows nothing about FUSE.
//
// A Vfs borrows the volume's Meta and DataStore (vfs/volume.h opens them and
// owns them; they outlive the Vfs). It keeps the table
// of open file and directory handles, merges this client's not-yet-committed
// writes into attributes (strong consistency for one client), and implements
// the close-to-open rules: flush/close wait until written data is committed,
// open tells the caller whether its page cache is still valid.
//
// Threading: every method is thread-safe; FUSE worker threads call it
// concurrently. Handles are plain numbers (never 0); using a released handle
// gives EBADF.
// Errors: errno-style Status (see meta.h and data_store.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "chunk/data_store.h"
#include "common/status.h"
#include "meta/meta.h"
#include "vfs/caller_map.h"
#include "vfs/flock_waits.h"
#include "vfs/handles.h"
#include "vfs/virtual_xattrs.h"

namespace slicefs {


// The result of Open/Create.
struct OpenedFile {
  uint64_t fh = 0;
  Attr attr;
  // The kernel may keep its page cache for this file: it is unchanged
  // (same mtime and length) since this client last cached it.
  bool keepCache = false;
};


class Vfs {
 public:
  // Borrows meta and data (see vfs/volume.h, which builds them).
  Vfs(std::string metaUrl, Meta& meta, DataStore& data);
  ~Vfs();  // flushes all buffered data
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  Meta& meta() { return *meta_; }
  DataStore& data() { return *data_; }
  const VolumeFormat& format() const { return meta_->format(); }
  const std::string& metaUrl() const { return metaUrl_; }
  // The uid allowed to read the virtual xattrs (the mount's owner).
  void SetOwnerUid(uint32_t uid) { ownerUid_ = uid; }
  uint32_t ownerUid() const { return ownerUid_; }
  // The control socket the root's user.slicefs.control names (set once
  // before serving; empty: no such attribute).
  void SetControlSocket(std::string path) { controlSocket_ = std::move(path); }
  // Squash/umask mapping of callers (vfs/caller_map.h), set once before
  // serving; the FUSE adapter and the control server apply it.
  void SetCallerMap(CallerMap m) { callerMap_ = std::move(m); }
  const CallerMap& callerMap() const { return callerMap_; }

  // ---- attributes and names --------------------------------------------
  Result<StatFsInfo> StatFs(const Ctx& ctx, Ino ino);
  Result<Entry> Lookup(const Ctx& ctx, Ino parent, std::string_view name);
  Result<Attr> GetAttr(const Ctx& ctx, Ino ino);
  // True while this client has writes to ino not yet committed: attributes
  // returned now (merged) will change at commit, so callers should not let
  // them be cached.
  bool Dirty(Ino ino);
  // Changes the fields in toSet (SetAttrMask) and, with `size`, the length.
  // fh != 0 when the kernel passed an open handle (ftruncate: no permission
  // check for the size change).
  Result<Attr> SetAttr(const Ctx& ctx, Ino ino, uint32_t toSet, const Attr& in,
                       std::optional<uint64_t> size, uint64_t fh);
  Result<Entry> Mknod(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                      uint32_t cumask, uint32_t rdev);
  Result<Entry> Mkdir(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode,
                      uint32_t cumask);
  Result<Entry> Symlink(const Ctx& ctx, Ino parent, std::string_view name, std::string_view target);
  Result<Entry> Link(const Ctx& ctx, Ino ino, Ino newParent, std::string_view newName);
  Result<std::string> Readlink(const Ctx& ctx, Ino ino);
  Status Unlink(const Ctx& ctx, Ino parent, std::string_view name);
  Status Rmdir(const Ctx& ctx, Ino parent, std::string_view name);
  Status Rename(const Ctx& ctx, Ino srcParent, std::string_view srcName, Ino dstParent,
                std::string_view dstName, uint32_t flags);
  Status Access(const Ctx& ctx, Ino ino, int mask);

  // ---- files -----------------------------------------------------------
  Result<std::pair<Entry, OpenedFile>> Create(const Ctx& ctx, Ino parent, std::string_view name,
                                              uint32_t mode, uint32_t cumask, int flags);
  // Opens ino with open(2) flags; O_TRUNC truncates; O_APPEND makes every
  // write of this handle go to the end of the file.
  Result<OpenedFile> Open(const Ctx& ctx, Ino ino, int flags);
  Result<size_t> Read(uint64_t fh, uint64_t off, std::span<char> out);
  Result<size_t> Write(uint64_t fh, uint64_t off, std::span<const char> data);
  // close(2) of one descriptor: commits this client's writes to the file and
  // releases the POSIX locks of lockOwner.
  Status Flush(uint64_t fh, uint64_t lockOwner);
  Status Fsync(uint64_t fh, bool datasync);
  // Last close of the open file description: flushes and forgets the handle.
  Status Release(uint64_t fh);
  Status Fallocate(const Ctx& ctx, uint64_t fh, int mode, uint64_t off, uint64_t len);
  Result<uint64_t> CopyFileRange(const Ctx& ctx, uint64_t fhIn, uint64_t offIn, uint64_t fhOut,
                                 uint64_t offOut, uint64_t len);
  // The inode of an open handle (EBADF if unknown).
  Result<Ino> HandleIno(uint64_t fh);

  // ---- directories -----------------------------------------------------
  Result<uint64_t> OpenDir(const Ctx& ctx, Ino ino);
  // Streams the directory from offset `off` (0 = start, which also refreshes
  // the snapshot; otherwise a value previously passed to emit as `next`).
  // "." and ".." come first. emit returns false when the caller's buffer is
  // full; that entry is then not consumed.
  using DirEmit = std::function<bool(const DirEntry& e, uint64_t next)>;
  Status ReadDir(const Ctx& ctx, uint64_t fh, uint64_t off, bool plus, const DirEmit& emit);
  Status ReleaseDir(uint64_t fh);

  // ---- xattrs ----------------------------------------------------------
  Result<std::string> GetXattr(const Ctx& ctx, Ino ino, std::string_view name);
  Status SetXattr(const Ctx& ctx, Ino ino, std::string_view name, std::string_view value, int flags);
  Result<std::vector<std::string>> ListXattr(const Ctx& ctx, Ino ino);
  Status RemoveXattr(const Ctx& ctx, Ino ino, std::string_view name);

  // ---- locks -----------------------------------------------------------
  // BSD flock belongs to the open file description, i.e. to the handle fh:
  // the lock owner is FlockOwner(fh), never the kernel's lock_owner (a
  // struct file address, which the kernel reuses for a new open as soon as
  // the old file is gone, before its asynchronous RELEASE arrives here).
  // Release(fh) drops the lock, and only if this handle took it.
  Status Flock(const Ctx& ctx, uint64_t fh, int type, bool block);
  static uint64_t FlockOwner(uint64_t fh) { return fh; }
  // How long a refused LOCK_NB flock waits for a release of another handle
  // of this client holding a flock on the inode to start (see Flock).
  static constexpr std::chrono::milliseconds kFlockReleaseGrace{20};
  Status Getlk(const Ctx& ctx, uint64_t fh, uint64_t owner, int* type, uint64_t* start,
               uint64_t* end, uint32_t* pid);
  Status Setlk(const Ctx& ctx, uint64_t fh, uint64_t owner, bool block, int type, uint64_t start,
               uint64_t end, uint32_t pid);
  void InterruptLock(uint64_t owner) { meta_->InterruptLock(owner); }

  // Commits every buffered write (unmount).
  Status FlushAll();
  size_t OpenHandleCount() const { return handles_.Count(); }

 private:
  // Attribute merged with this client's uncommitted writes.
  Attr Merge(Ino ino, Attr a);
  // Flushes buffered writes of ino, then runs a length-changing op.
  void NoteLength(Ino ino, uint64_t length);
  void RememberCached(Ino ino, const Attr& a);
  bool CacheStillValid(Ino ino, const Attr& a);

  std::string metaUrl_;
  Meta* meta_;
  DataStore* data_;
  uint32_t ownerUid_ = 0;
  std::string controlSocket_;
  CallerMap callerMap_;
  HandleTable handles_;
  FlockWaits flockWaits_;

  // What the kernel's page cache reflects per inode (mtime, length), for
  // keep_cache decisions. Bounded: cleared when it grows too large.
  std::mutex cacheMu_;
  std::unordered_map<Ino, std::pair<int64_t, uint64_t>> cached_;
};

}  // namespace slicefs
