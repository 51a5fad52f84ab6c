// Path-based access to a volume for clients without FUSE: the CLI tools, the
// S3 gateway and the WebDAV server. Every call runs as the credentials given
// at construction and goes through the Vfs, so it sees this client's own
// unflushed writes, honours permissions exactly as the mount does, and knows
// nothing about FUSE.
//
// Paths are absolute within the volume ("/", "/a/b"); empty components and
// "." are skipped, ".." goes to the parent (at the root it stays there).
// Symbolic links in intermediate components are followed (at most 40, then
// ELOOP), a target starting with '/' being relative to the volume root; the
// last component is followed only where the call says so.
//
// Threading: a PathFs is thread-safe (it holds only the Vfs and the
// credentials). A PathFile is one open file description; use it from one
// thread at a time; its destructor closes it (flush + release).
// Errors: errno-style Status as the system calls would give (ENOENT, ENOTDIR,
// EISDIR, EEXIST, EACCES, ELOOP, ENAMETOOLONG, EINVAL for a relative path).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/types.h"
#include "vfs/vfs.h"

namespace slicefs {

class PathFile {
 public:
  PathFile() = default;
  PathFile(PathFile&& o) noexcept { *this = std::move(o); }
  PathFile& operator=(PathFile&& o) noexcept;
  ~PathFile();

  Ino ino() const { return ino_; }
  bool valid() const { return fh_ != 0; }
  Result<size_t> Read(uint64_t off, std::span<char> out);
  Result<size_t> Write(uint64_t off, std::span<const char> data);
  Result<Attr> Stat();
  Status Fsync();
  // Commits written data and releases the handle; later calls give EBADF.
  Status Close();
  // copy_file_range(2) from src into this file: slice records are shared,
  // no data is copied (the S3 gateway's multipart complete). Returns the
  // bytes copied (short at src's end of file).
  Result<uint64_t> CopyFrom(PathFile& src, uint64_t srcOff, uint64_t dstOff, uint64_t len);

 private:
  friend class PathFs;
  PathFile(Vfs* vfs, Ctx ctx, uint64_t fh, Ino ino) : vfs_(vfs), ctx_(std::move(ctx)), fh_(fh), ino_(ino) {}
  Vfs* vfs_ = nullptr;
  Ctx ctx_;
  uint64_t fh_ = 0;
  Ino ino_ = 0;
};

class PathFs {
 public:
  // Borrows vfs. `umask` applies to created files and directories.
  PathFs(Vfs& vfs, Ctx ctx, uint32_t umask = 022) : vfs_(vfs), ctx_(std::move(ctx)), umask_(umask) {}

  // The entry a path names (following a final symlink when followLast).
  Result<Entry> Resolve(std::string_view path, bool followLast = true);
  Result<Attr> Stat(std::string_view path) { return AttrOf(path, true); }
  Result<Attr> Lstat(std::string_view path) { return AttrOf(path, false); }

  Result<Entry> Mkdir(std::string_view path, uint32_t mode = 0777);
  // Creates missing directories along the path; EEXIST/ENOTDIR if a
  // component exists and is not a directory.
  Status MkdirAll(std::string_view path, uint32_t mode = 0777);
  Status Unlink(std::string_view path);
  Status Rmdir(std::string_view path);
  // flags: kRenameNoReplace / kRenameExchange (meta.h).
  Status Rename(std::string_view from, std::string_view to, uint32_t flags = 0);
  Result<Entry> Symlink(std::string_view target, std::string_view path);
  Result<std::string> Readlink(std::string_view path);
  Result<Entry> Link(std::string_view existing, std::string_view path);

  // Entries of a directory after `after` in name order, at most `limit`
  // ("." and ".." excluded); call again with the last name to page on.
  Result<std::vector<DirEntry>> List(std::string_view dir, std::string_view after = "",
                                     size_t limit = 1000, bool plus = true);

  // open(2): flags as O_RDONLY/O_WRONLY/O_RDWR with O_CREAT, O_EXCL, O_TRUNC,
  // O_APPEND, O_NOFOLLOW, O_DIRECTORY.
  Result<PathFile> Open(std::string_view path, int flags, uint32_t mode = 0666);

  Result<std::string> GetXattr(std::string_view path, std::string_view name);
  Status SetXattr(std::string_view path, std::string_view name, std::string_view value, int flags = 0);
  Status RemoveXattr(std::string_view path, std::string_view name);
  Result<std::vector<std::string>> ListXattr(std::string_view path);

  Vfs& vfs() { return vfs_; }
  const Ctx& ctx() const { return ctx_; }

 private:
  struct Parent {
    Ino dir = 0;
    std::string name;  // empty for the root itself
  };
  // Resolves all but the last component (following symlinks on the way).
  Result<Parent> ResolveParent(std::string_view path, int* depth);
  Result<Entry> Walk(std::string_view path, bool followLast, int* depth);
  Result<Attr> AttrOf(std::string_view path, bool followLast);

  Vfs& vfs_;
  Ctx ctx_;
  uint32_t umask_;
};

// "/a/b/" -> {"a", "b"}; EINVAL for a relative path, ENAMETOOLONG for a
// component longer than 255 bytes.
Result<std::vector<std::string>> SplitVolumePath(std::string_view path);

}  // namespace slicefs
