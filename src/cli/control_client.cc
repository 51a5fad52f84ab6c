#include "cli/control_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/progress.h"
#include "vfs/control/wire.h"
#include "vfs/virtual_xattrs.h"

namespace slicefs::cli {

Result<std::string> ClientPath(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) return Err(EINVAL, "bad path " + path);
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  if (s == "/") return s;
  fs::path abs(s);
  fs::path parent = fs::canonical(abs.parent_path(), ec);
  if (ec) return Err(ec.value(), path + ": " + ec.message());
  return (parent / abs.filename()).string();
}

Result<MountControl> FindControl(const std::string& abs) {
  namespace fs = std::filesystem;
  fs::path cur(abs);
  struct stat cs;
  if (::lstat(cur.c_str(), &cs) != 0 || !S_ISDIR(cs.st_mode)) {
    cur = cur.parent_path();
    if (::stat(cur.c_str(), &cs) != 0) return Err(errno, cur.string() + ": " + std::strerror(errno));
  }
  // Up while the device stays the same: the last directory is the root.
  while (cur != cur.root_path()) {
    struct stat ps;
    auto parent = cur.parent_path();
    if (::stat(parent.c_str(), &ps) != 0 || ps.st_dev != cs.st_dev) break;
    cur = parent;
    cs = ps;
  }
  char buf[4096];
  ssize_t n = ::getxattr(cur.c_str(), std::string(kXattrControl).c_str(), buf, sizeof(buf));
  if (n <= 0) {
    return Err(EINVAL, abs + " is not inside a slicefs mount (or the mount has no control channel)");
  }
  return MountControl{cur.string(), std::string(buf, static_cast<size_t>(n))};
}

Result<nlohmann::json> CallControl(const std::string& socket, const std::string& cmd,
                                   const nlohmann::json& args, const ProgressFn& onProgress) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket.size() >= sizeof(addr.sun_path)) return Err(ENAMETOOLONG, "socket path too long: " + socket);
  std::memcpy(addr.sun_path, socket.c_str(), socket.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Err(errno, std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    return Err(e, "cannot reach the mount at " + socket + ": " + std::strerror(e));
  }
  RETURN_IF_ERROR(control::WriteFrame(fd, {{"cmd", cmd}, {"args", args}}));
  for (;;) {
    auto m = control::ReadFrame(fd, control::kMaxResponseBytes);
    if (!m) {
      if (m.error().is(ENODATA)) return Err(EIO, "the mount closed the control channel without an answer");
      return Err(m.error());
    }
    if (m->contains("progress")) {
      if (onProgress) onProgress((*m)["progress"]);
      continue;
    }
    int e = m->value("errno", EIO);
    if (e != 0) return Err(e, m->value("message", std::string("failed")));
    return m->contains("result") ? (*m)["result"] : nlohmann::json::object();
  }
}

Result<nlohmann::json> RunOnMount(const std::string& absPath, const std::string& cmd,
                                  const nlohmann::json& args, Progress* progress) {
  ASSIGN_OR_RETURN(auto mc, FindControl(absPath));
  return CallControl(mc.socket, cmd, args, [progress](const nlohmann::json& p) {
    if (progress == nullptr || !p.is_object()) return;
    if (p.contains("count")) progress->SetCount(p["count"].get<uint64_t>());
    if (p.contains("bytes")) progress->SetBytes(p["bytes"].get<uint64_t>());
    if (p.contains("total")) progress->SetTotal(p["total"].get<uint64_t>());
    if (p.contains("note")) progress->SetNote(p["note"].get<std::string>());
  });
}

}  // namespace slicefs::cli
