#include "cli/mount_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace slicefs::cli {

Result<std::string> CheckMountpoint(const std::string& path) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) return Err(EINVAL, "bad mountpoint " + path);
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  struct stat st;
  if (::stat(abs.c_str(), &st) != 0) {
    int e = errno;
    if (e == ENOENT) return Err(ENOENT, "mountpoint " + abs + " does not exist");
    if (e == ENOTCONN) {
      return Err(ENOTCONN, "mountpoint " + abs +
                               " is a disconnected mount; run `slicefs umount " + abs + "` first");
    }
    return Err(e, "mountpoint " + abs + ": " + std::strerror(e));
  }
  if (!S_ISDIR(st.st_mode)) return Err(ENOTDIR, "mountpoint " + abs + " is not a directory");
  if (IsMountPoint(abs)) return Err(EBUSY, "mountpoint " + abs + " is busy (already mounted)");
  return abs;
}

Result<std::string> MountXattr(const std::string& mountRoot, const std::string& name) {
  char buf[4096];
  ssize_t n = ::getxattr(mountRoot.c_str(), name.c_str(), buf, sizeof(buf));
  if (n < 0) return Err(errno, std::string(std::strerror(errno)));
  return std::string(buf, n);
}

Result<std::string> FindMountRoot(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec).lexically_normal();
  struct stat st;
  if (::lstat(p.c_str(), &st) != 0) return Err(errno, path + ": " + std::strerror(errno));
  // Walk up while the device stays the same; the last directory on it is
  // the mount's root (inode 1 in slicefs).
  std::filesystem::path cur = S_ISDIR(st.st_mode) ? p : p.parent_path();
  struct stat cs;
  if (::stat(cur.c_str(), &cs) != 0) return Err(errno, cur.string() + ": " + std::strerror(errno));
  while (cur.has_parent_path() && cur != cur.root_path()) {
    struct stat ps;
    auto parent = cur.parent_path();
    if (::stat(parent.c_str(), &ps) != 0 || ps.st_dev != cs.st_dev) break;
    cur = parent;
    cs = ps;
  }
  if (!MountXattr(cur.string(), std::string(kXattrMetaUrl))) {
    return Err(EINVAL, path + " is not inside a slicefs mount");
  }
  return cur.string();
}

Result<int> RunProgram(const std::vector<std::string>& argv, const std::string& outFile, int timeoutSec) {
  pid_t pid = fork();
  if (pid < 0) return Err(errno, "fork failed");
  if (pid == 0) {
    if (!outFile.empty()) {
      int fd = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
      int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (devnull >= 0) dup2(devnull, 0);
    }
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  int status = 0;
  if (timeoutSec > 0) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSec);
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return Err(ETIMEDOUT, argv[0] + " did not finish in " + std::to_string(timeoutSec) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } else {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 127) return Err(ENOENT, "cannot run " + argv[0]);
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

}  // namespace slicefs::cli
