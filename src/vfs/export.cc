// slicefs export: a depth-first copy of a volume subtree to local files.
#include "vfs/export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

namespace slicefs {

namespace {

constexpr size_t kPiece = 4 << 20;

std::string Join(const std::string& a, const std::string& b) { return a == "/" ? "/" + b : a + "/" + b; }

Status Sys(const std::string& what, const std::string& path) {
  return Status::Error(errno, what + " '" + path + "': " + std::strerror(errno));
}

struct Exporter {
  PathFs& fs;
  const ExportOptions& opts;
  ExportStats stats;
  std::unordered_map<Ino, std::string> linked;  // hard-linked inode -> local path
  std::vector<char> buf = std::vector<char>(kPiece);
  const bool root = geteuid() == 0;

  void Fail(const std::string& path, const std::string& why) {
    std::string line = path + ": " + why;
    if (opts.onError) opts.onError(line);
    stats.failed.push_back(std::move(line));
  }

  // Owner, mode, xattrs and times of a local path (after its content).
  void Finish(const std::string& vpath, const std::string& local, const Attr& a, bool symlink) {
    if (root && lchown(local.c_str(), a.uid, a.gid) != 0) Fail(vpath, std::string("chown: ") + std::strerror(errno));
    if (!symlink && chmod(local.c_str(), a.mode & 07777) != 0) Fail(vpath, std::string("chmod: ") + std::strerror(errno));
    if (auto names = fs.ListXattr(vpath)) {
      for (const auto& n : *names) {
        auto v = fs.GetXattr(vpath, n);
        if (!v) continue;
        if (lsetxattr(local.c_str(), n.c_str(), v->data(), v->size(), 0) != 0 && errno != ENOTSUP)
          Fail(vpath, "xattr " + n + ": " + std::strerror(errno));
      }
    }
    timespec ts[2] = {{a.atimeNs / 1000000000, a.atimeNs % 1000000000}, {a.mtimeNs / 1000000000, a.mtimeNs % 1000000000}};
    if (utimensat(AT_FDCWD, local.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
      Fail(vpath, std::string("utimensat: ") + std::strerror(errno));
  }

  // Copies a regular file's bytes; all-zero pieces become holes.
  Status CopyFile(const std::string& vpath, const std::string& local, const Attr& a) {
    auto f = fs.Open(vpath, O_RDONLY | O_NOFOLLOW);
    if (!f) return f.error();
    int fd = ::open(local.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Sys("cannot create", local);
    Status st;
    for (uint64_t off = 0; off < a.length && st.ok();) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(kPiece, a.length - off));
      auto n = f->Read(off, std::span<char>(buf.data(), want));
      if (!n) {
        st = n.error();
        break;
      }
      if (*n == 0) break;
      bool zero = std::all_of(buf.begin(), buf.begin() + static_cast<long>(*n), [](char c) { return c == 0; });
      if (!zero && pwrite(fd, buf.data(), *n, static_cast<off_t>(off)) != static_cast<ssize_t>(*n)) st = Sys("writing", local);
      off += *n;
      stats.bytes += *n;
    }
    if (st.ok() && ftruncate(fd, static_cast<off_t>(a.length)) != 0) st = Sys("truncating", local);
    ::close(fd);
    (void)f->Close();
    if (!st.ok()) ::unlink(local.c_str());
    return st;
  }

  // One non-directory entry.
  void Entry1(const std::string& vpath, const std::string& local, const DirEntry& e) {
    Attr a;
    if (e.attr) {
      a = *e.attr;
    } else {
      auto s = fs.Lstat(vpath);
      if (!s) return Fail(vpath, s.error().message());
      a = *s;
    }
    ::unlink(local.c_str());
    if (a.type != FileType::kDir && a.nlink > 1) {
      auto it = linked.find(e.ino);
      if (it != linked.end()) {
        if (::link(it->second.c_str(), local.c_str()) != 0) return Fail(vpath, std::string("link: ") + std::strerror(errno));
        stats.links++;
        return;
      }
    }
    switch (a.type) {
      case FileType::kFile: {
        Status st = CopyFile(vpath, local, a);
        if (!st.ok()) return Fail(vpath, st.message());
        stats.files++;
        break;
      }
      case FileType::kSymlink: {
        auto t = fs.Readlink(vpath);
        if (!t) return Fail(vpath, t.error().message());
        if (::symlink(t->c_str(), local.c_str()) != 0) return Fail(vpath, std::string("symlink: ") + std::strerror(errno));
        stats.symlinks++;
        break;
      }
      case FileType::kFifo:
      case FileType::kCharDev:
      case FileType::kBlockDev: {
        mode_t m = a.type == FileType::kFifo ? S_IFIFO : a.type == FileType::kCharDev ? S_IFCHR : S_IFBLK;
        if (::mknod(local.c_str(), m | (a.mode & 0777), a.rdev) != 0)
          return Fail(vpath, std::string("mknod: ") + std::strerror(errno));
        stats.others++;
        break;
      }
      default:
        return Fail(vpath, "sockets are not exported");
    }
    if (a.nlink > 1) linked.emplace(e.ino, local);
    Finish(vpath, local, a, a.type == FileType::kSymlink);
  }

  Status Run(const std::string& from, const std::string& dest) {
    auto top = fs.Stat(from);
    if (!top) return top.error();
    if (top->type != FileType::kDir) return Status::Error(ENOTDIR, "'" + from + "' is not a directory in the volume");
    if (::mkdir(dest.c_str(), 0700) != 0 && errno != EEXIST) return Sys("cannot create", dest);
    struct Frame {
      std::string vpath, local;
      Attr attr;
      std::string after;
      bool done = false;
      std::vector<DirEntry> dirs;  // subdirectories of the current page
    };
    std::vector<Frame> stack;
    stack.push_back({from, dest, *top, "", false, {}});
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (!f.dirs.empty()) {
        DirEntry d = std::move(f.dirs.back());
        f.dirs.pop_back();
        std::string vp = Join(f.vpath, d.name), lp = f.local + "/" + d.name;
        if (::mkdir(lp.c_str(), 0700) != 0 && errno != EEXIST) {
          Fail(vp, std::string("mkdir: ") + std::strerror(errno));
          continue;
        }
        stats.dirs++;
        stack.push_back({vp, lp, d.attr.value_or(Attr{}), "", false, {}});
        continue;
      }
      if (f.done) {
        Finish(f.vpath, f.local, f.attr, false);  // after its content: times stick
        stack.pop_back();
        continue;
      }
      auto page = fs.List(f.vpath, f.after, 1000, true);
      if (!page) {
        Fail(f.vpath, page.error().message());
        f.done = true;
        continue;
      }
      if (page->size() < 1000) f.done = true;
      if (page->empty()) continue;
      f.after = page->back().name;
      std::vector<DirEntry> dirs;
      const std::string vdir = f.vpath, ldir = f.local;
      for (auto& e : *page) {
        if (e.type == FileType::kDir) dirs.push_back(std::move(e));
        else Entry1(Join(vdir, e.name), ldir + "/" + e.name, e);
      }
      std::reverse(dirs.begin(), dirs.end());
      stack.back().dirs = std::move(dirs);
    }
    return Status::OK();
  }
};

}  // namespace

Result<ExportStats> ExportTree(PathFs& fs, const std::string& from, const std::string& dest, const ExportOptions& opts) {
  Exporter ex{fs, opts, {}, {}};
  Status st = ex.Run(from, dest);
  if (!st.ok()) return Err(st);
  return std::move(ex.stats);
}

}  // namespace slicefs
