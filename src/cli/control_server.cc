#include "cli/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vfs/control/wire.h"

namespace slicefs::cli {
namespace {

// Supplementary groups of pid (the "Groups:" line of /proc/PID/status).
std::vector<uint32_t> GroupsOf(uint32_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  std::vector<uint32_t> out;
  while (std::getline(in, line)) {
    if (line.rfind("Groups:", 0) != 0) continue;
    std::istringstream ss(line.substr(7));
    uint32_t g;
    while (ss >> g && out.size() < 1024) out.push_back(g);
    break;
  }
  return out;
}

Status CheckPrivateDir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return Status::Error(errno, dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return Status::Error(ENOTDIR, dir + " is not a directory");
  if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
    return Status::Error(EPERM, dir + " must be owned by uid " + std::to_string(geteuid()) +
                                    " and not writable by group or others");
  }
  return Status::OK();
}

}  // namespace

Result<std::string> ControlSocketDir() {
  std::string dir;
  if (const char* env = std::getenv("SLICEFS_CONTROL_DIR"); env && *env) {
    dir = env;  // tests
  } else if (geteuid() == 0) {
    dir = "/run/slicefs";
  } else if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) {
    dir = std::string(x) + "/slicefs";
  } else {
    dir = "/tmp/slicefs-" + std::to_string(geteuid());
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Err(errno, "cannot create " + dir + ": " + std::strerror(errno));
  }
  RETURN_IF_ERROR(CheckPrivateDir(dir));
  return dir;
}

Result<std::unique_ptr<ControlServer>> ControlServer::Start(Vfs& vfs, const std::string& mountpoint,
                                                            control::KernelHooks hooks) {
  ASSIGN_OR_RETURN(auto dir, ControlSocketDir());
  std::unique_ptr<ControlServer> s(new ControlServer(vfs, mountpoint, std::move(hooks)));
  s->path_ = dir + "/mount-" + std::to_string(getpid()) + ".sock";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (s->path_.size() >= sizeof(addr.sun_path)) return Err(ENAMETOOLONG, "socket path too long: " + s->path_);
  std::memcpy(addr.sun_path, s->path_.c_str(), s->path_.size() + 1);
  ::unlink(s->path_.c_str());  // a stale socket of an earlier process with this pid
  s->listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listenFd_ < 0) return Err(errno, std::string("socket: ") + std::strerror(errno));
  if (::bind(s->listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::chmod(s->path_.c_str(), 0666) != 0 || ::listen(s->listenFd_, 64) != 0) {
    int e = errno;
    return Err(e, "control socket " + s->path_ + ": " + std::strerror(e));
  }
  if (::pipe2(s->wakeFd_, O_CLOEXEC) != 0) return Err(errno, "pipe failed");
  s->acceptor_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

ControlServer::~ControlServer() {
  stop_ = true;
  if (wakeFd_[1] >= 0) (void)!::write(wakeFd_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return running_ == 0; });
  }
  if (listenFd_ >= 0) ::close(listenFd_);
  for (int fd : wakeFd_) {
    if (fd >= 0) ::close(fd);
  }
  if (!path_.empty()) ::unlink(path_.c_str());
}

void ControlServer::AcceptLoop() {
  while (!stop_) {
    pollfd p[2] = {{listenFd_, POLLIN, 0}, {wakeFd_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("control socket poll: {}", std::strerror(errno));
      return;
    }
    if (stop_) return;
    if (!(p[0].revents & POLLIN)) continue;
    int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    bool busy;
    {
      std::lock_guard lk(mu_);
      busy = running_ >= control::ControlRegistry::kMaxConcurrent;
      if (!busy) running_++;
    }
    if (busy) {
      (void)control::WriteFrame(fd, {{"errno", EBUSY},
                                     {"message", "the mount runs " +
                                                     std::to_string(control::ControlRegistry::kMaxConcurrent) +
                                                     " control requests already; try again later"}});
      ::close(fd);
      continue;
    }
    std::thread([this, fd] {
      Serve(fd);
      ::close(fd);
      std::lock_guard lk(mu_);
      running_--;
      cv_.notify_all();
    }).detach();
  }
}

void ControlServer::Serve(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return;
  auto fail = [&](const Status& st) {
    (void)control::WriteFrame(fd, {{"errno", st.code() ? st.code() : EIO}, {"message", st.message()}});
  };
  // A client that connects and sends nothing does not hold a slot forever.
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  auto req = control::ReadFrame(fd, control::kMaxRequestBytes);
  if (!req) return fail(req.error());
  if (!req->is_object() || !req->contains("cmd") || !(*req)["cmd"].is_string()) {
    return fail(Status::Invalid("request without a \"cmd\" string"));
  }
  std::string cmd = (*req)["cmd"].get<std::string>();
  const auto* h = control::BuiltinCommands().Find(cmd);
  if (h == nullptr) return fail(Status::Error(ENOSYS, "this mount does not know the command '" + cmd +
                                                 "' (it runs an older slicefs: remount it with this one)"));
  Ctx ctx;
  ctx.uid = cred.uid;
  ctx.gid = cred.gid;
  ctx.pid = static_cast<uint32_t>(cred.pid);
  if (cred.uid != 0) ctx.gids = GroupsOf(ctx.pid);
  ctx = vfs_.callerMap().Apply(std::move(ctx));  // --root-squash / --all-squash
  nlohmann::json args = req->contains("args") ? (*req)["args"] : nlohmann::json::object();
  auto send = [fd](const nlohmann::json& m) { return control::WriteFrame(fd, m).ok(); };
  auto cancelled = [this, fd] {
    if (stop_) return true;
    pollfd p{fd, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
  };
  spdlog::info("control: {} from uid {} pid {}", cmd, ctx.uid, ctx.pid);
  control::ControlCall call(vfs_, hooks_, mountpoint_, std::move(ctx), std::move(args), send, cancelled);
  Result<nlohmann::json> r = [&]() -> Result<nlohmann::json> {
    try {
      return (*h)(call);
    } catch (const std::exception& e) {
      return Err(EINVAL, std::string("bad request: ") + e.what());
    }
  }();
  if (!r) return fail(r.error());
  (void)control::WriteFrame(fd, {{"errno", 0}, {"message", ""}, {"result", *r}});
}

}  // namespace slicefs::cli
