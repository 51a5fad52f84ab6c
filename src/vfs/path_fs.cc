#include "vfs/path_fs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <deque>

#include "meta/meta.h"

namespace slicefs {

namespace {
constexpr int kMaxSymlinks = 40;

bool IsDir(const Attr& a) { return a.type == FileType::kDir; }
}  // namespace

Result<std::vector<std::string>> SplitVolumePath(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return Err(EINVAL, "path '" + std::string(path) + "' is not absolute (volume paths start with '/')");
  }
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    if (c.size() > kMaxNameLen) return Err(ENAMETOOLONG, "name too long in '" + std::string(path) + "'");
    if (!c.empty()) out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

// ---- resolution -----------------------------------------------------------

Result<Entry> PathFs::Walk(std::string_view path, bool followLast, int* depth) {
  ASSIGN_OR_RETURN(auto parts, SplitVolumePath(path));
  std::deque<std::string> todo(parts.begin(), parts.end());
  std::vector<Entry> stack;  // ancestors of the current directory, root first
  ASSIGN_OR_RETURN(Attr rootAttr, vfs_.GetAttr(ctx_, kRootIno));
  Entry cur{kRootIno, rootAttr};
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (!IsDir(cur.attr)) return Err(ENOTDIR, "'" + std::string(path) + "': a component is not a directory");
    if (name == "..") {
      if (!stack.empty()) {
        cur = stack.back();
        stack.pop_back();
      }
      continue;
    }
    ASSIGN_OR_RETURN(Entry next, vfs_.Lookup(ctx_, cur.ino, name));
    const bool last = todo.empty();
    if (next.attr.type == FileType::kSymlink && (!last || followLast)) {
      if (++*depth > kMaxSymlinks) return Err(ELOOP, "too many levels of symbolic links in '" + std::string(path) + "'");
      ASSIGN_OR_RETURN(std::string target, vfs_.Readlink(ctx_, next.ino));
      if (target.empty()) return Err(ENOENT, "empty symbolic link in '" + std::string(path) + "'");
      std::vector<std::string> tparts;
      size_t i = 0;
      while (i <= target.size()) {
        size_t j = target.find('/', i);
        if (j == std::string::npos) j = target.size();
        if (j > i) tparts.push_back(target.substr(i, j - i));
        i = j + 1;
      }
      todo.insert(todo.begin(), tparts.begin(), tparts.end());
      if (target[0] == '/') {
        stack.clear();
        cur = Entry{kRootIno, rootAttr};
      }
      continue;
    }
    stack.push_back(cur);
    cur = std::move(next);
  }
  return cur;
}

Result<Entry> PathFs::Resolve(std::string_view path, bool followLast) {
  int depth = 0;
  return Walk(path, followLast, &depth);
}

Result<PathFs::Parent> PathFs::ResolveParent(std::string_view path, int* depth) {
  ASSIGN_OR_RETURN(auto parts, SplitVolumePath(path));
  if (parts.empty()) return Parent{kRootIno, ""};
  std::string name = parts.back();
  if (name == "." || name == "..") return Err(EINVAL, "'" + std::string(path) + "' ends in '" + name + "'");
  std::string dir = "/";
  for (size_t i = 0; i + 1 < parts.size(); i++) dir += parts[i] + "/";
  ASSIGN_OR_RETURN(Entry d, Walk(dir, true, depth));
  if (!IsDir(d.attr)) return Err(ENOTDIR, "parent of '" + std::string(path) + "' is not a directory");
  return Parent{d.ino, std::move(name)};
}

Result<Attr> PathFs::AttrOf(std::string_view path, bool followLast) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, followLast));
  return vfs_.GetAttr(ctx_, e.ino);
}

// ---- namespace --------------------------------------------------------------

Result<Entry> PathFs::Mkdir(std::string_view path, uint32_t mode) {
  int depth = 0;
  ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
  if (p.name.empty()) return Err(EEXIST, "'/' exists");
  return vfs_.Mkdir(ctx_, p.dir, p.name, mode & 07777, umask_);
}

Status PathFs::MkdirAll(std::string_view path, uint32_t mode) {
  ASSIGN_OR_RETURN(auto parts, SplitVolumePath(path));
  std::string prefix;
  for (const auto& c : parts) {
    prefix += "/" + c;
    auto st = Stat(prefix);
    if (st) {
      if (!IsDir(*st)) return Status::Error(ENOTDIR, "'" + prefix + "' exists and is not a directory");
      continue;
    }
    if (!st.error().is(ENOENT)) return st.error();
    auto made = Mkdir(prefix, mode);
    if (!made && !made.error().is(EEXIST)) return made.error();  // EEXIST: made meanwhile
  }
  return Status::OK();
}

Status PathFs::Unlink(std::string_view path) {
  int depth = 0;
  ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
  if (p.name.empty()) return Status::Error(EISDIR, "'/' is a directory");
  return vfs_.Unlink(ctx_, p.dir, p.name);
}

Status PathFs::Rmdir(std::string_view path) {
  int depth = 0;
  ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
  if (p.name.empty()) return Status::Error(EBUSY, "cannot remove '/'");
  return vfs_.Rmdir(ctx_, p.dir, p.name);
}

Status PathFs::Rename(std::string_view from, std::string_view to, uint32_t flags) {
  int depth = 0;
  ASSIGN_OR_RETURN(Parent a, ResolveParent(from, &depth));
  ASSIGN_OR_RETURN(Parent b, ResolveParent(to, &depth));
  if (a.name.empty() || b.name.empty()) return Status::Error(EBUSY, "cannot rename '/'");
  return vfs_.Rename(ctx_, a.dir, a.name, b.dir, b.name, flags);
}

Result<Entry> PathFs::Symlink(std::string_view target, std::string_view path) {
  int depth = 0;
  ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
  if (p.name.empty()) return Err(EEXIST, "'/' exists");
  return vfs_.Symlink(ctx_, p.dir, p.name, target);
}

Result<std::string> PathFs::Readlink(std::string_view path) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, false));
  if (e.attr.type != FileType::kSymlink) return Err(EINVAL, "'" + std::string(path) + "' is not a symbolic link");
  return vfs_.Readlink(ctx_, e.ino);
}

Result<Entry> PathFs::Link(std::string_view existing, std::string_view path) {
  ASSIGN_OR_RETURN(Entry src, Resolve(existing, false));
  int depth = 0;
  ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
  if (p.name.empty()) return Err(EEXIST, "'/' exists");
  return vfs_.Link(ctx_, src.ino, p.dir, p.name);
}

Result<std::vector<DirEntry>> PathFs::List(std::string_view dir, std::string_view after, size_t limit, bool plus) {
  ASSIGN_OR_RETURN(Entry d, Resolve(dir, true));
  if (!IsDir(d.attr)) return Err(ENOTDIR, "'" + std::string(dir) + "' is not a directory");
  return vfs_.meta().Readdir(ctx_, d.ino, after, limit, plus);
}

// ---- files ------------------------------------------------------------------

Result<PathFile> PathFs::Open(std::string_view path, int flags, uint32_t mode) {
  int depth = 0;
  if (flags & O_CREAT) {
    ASSIGN_OR_RETURN(Parent p, ResolveParent(path, &depth));
    if (p.name.empty()) return Err(EISDIR, "'/' is a directory");
    auto existing = vfs_.Lookup(ctx_, p.dir, p.name);
    if (!existing && !existing.error().is(ENOENT)) return Err(existing.error());
    if (!existing) {
      auto made = vfs_.Create(ctx_, p.dir, p.name, S_IFREG | (mode & 07777), umask_, flags);
      if (made) return PathFile(&vfs_, ctx_, made->second.fh, made->first.ino);
      if (!made.error().is(EEXIST) || (flags & O_EXCL)) return Err(made.error());
    } else if (flags & O_EXCL) {
      return Err(EEXIST, "'" + std::string(path) + "' exists");
    }
  }
  ASSIGN_OR_RETURN(Entry e, Walk(path, !(flags & O_NOFOLLOW), &depth));
  if (e.attr.type == FileType::kSymlink) return Err(ELOOP, "'" + std::string(path) + "' is a symbolic link");
  if ((flags & O_DIRECTORY) && !IsDir(e.attr)) return Err(ENOTDIR, "'" + std::string(path) + "' is not a directory");
  if (IsDir(e.attr) && (flags & O_ACCMODE) != O_RDONLY) return Err(EISDIR, "'" + std::string(path) + "' is a directory");
  ASSIGN_OR_RETURN(OpenedFile of, vfs_.Open(ctx_, e.ino, flags & ~(O_CREAT | O_EXCL)));
  return PathFile(&vfs_, ctx_, of.fh, e.ino);
}

PathFile& PathFile::operator=(PathFile&& o) noexcept {
  if (this != &o) {
    (void)Close();
    vfs_ = o.vfs_;
    ctx_ = std::move(o.ctx_);
    fh_ = o.fh_;
    ino_ = o.ino_;
    o.fh_ = 0;
  }
  return *this;
}

PathFile::~PathFile() { (void)Close(); }

Result<size_t> PathFile::Read(uint64_t off, std::span<char> out) {
  if (!fh_) return Err(EBADF, "file is closed");
  return vfs_->Read(fh_, off, out);
}

Result<size_t> PathFile::Write(uint64_t off, std::span<const char> data) {
  if (!fh_) return Err(EBADF, "file is closed");
  return vfs_->Write(fh_, off, data);
}

Result<uint64_t> PathFile::CopyFrom(PathFile& src, uint64_t srcOff, uint64_t dstOff, uint64_t len) {
  if (!fh_ || !src.fh_) return Err(EBADF, "file is closed");
  return vfs_->CopyFileRange(ctx_, src.fh_, srcOff, fh_, dstOff, len);
}

Result<Attr> PathFile::Stat() {
  if (!fh_) return Err(EBADF, "file is closed");
  return vfs_->GetAttr(ctx_, ino_);
}

Status PathFile::Fsync() {
  if (!fh_) return Status::Error(EBADF, "file is closed");
  return vfs_->Fsync(fh_, false);
}

Status PathFile::Close() {
  if (!fh_) return Status::OK();
  uint64_t fh = fh_;
  fh_ = 0;
  Status fl = vfs_->Flush(fh, /*lockOwner=*/0);
  Status rel = vfs_->Release(fh);
  return fl.ok() ? rel : fl;
}

// ---- xattrs -----------------------------------------------------------------

Result<std::string> PathFs::GetXattr(std::string_view path, std::string_view name) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, true));
  return vfs_.GetXattr(ctx_, e.ino, name);
}

Status PathFs::SetXattr(std::string_view path, std::string_view name, std::string_view value, int flags) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, true));
  return vfs_.SetXattr(ctx_, e.ino, name, value, flags);
}

Status PathFs::RemoveXattr(std::string_view path, std::string_view name) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, true));
  return vfs_.RemoveXattr(ctx_, e.ino, name);
}

Result<std::vector<std::string>> PathFs::ListXattr(std::string_view path) {
  ASSIGN_OR_RETURN(Entry e, Resolve(path, true));
  return vfs_.ListXattr(ctx_, e.ino);
}

}  // namespace slicefs
