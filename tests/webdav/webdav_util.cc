// The WebDAV test helper (see webdav_util.h).
#include "webdav/webdav_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "support/test_util.h"

namespace slicefs::testing {
namespace {

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

}  // namespace

DavProcess::~DavProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

Status DavProcess::Start(const std::string& metaUrl, const std::string& logFile, const std::vector<std::string>& extra,
                         const std::map<std::string, std::string>& env) {
  port_ = FreePort();
  std::vector<std::string> args = {SlicefsBinary(), "webdav", metaUrl, "127.0.0.1:" + std::to_string(port_),
                                   "--log", logFile, "--backup-meta", "0"};
  if (std::find(extra.begin(), extra.end(), "--metrics") == extra.end()) args.push_back("--no-metrics");
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = fork();
  if (pid_ < 0) return Status::Error(errno, "fork");
  if (pid_ == 0) {
    for (auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    int log = open((logFile + ".stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, 1);
    dup2(log, 2);
    for (int fd = 3; fd < 1024; fd++) close(fd);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  for (int i = 0; i < 600; i++) {
    if (Accepts(port_)) return Status::OK();
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Error(EIO, "slicefs webdav exited at start (see " + logFile + ".stderr): " +
                                    ReadFile(logFile + ".stderr"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Error(ETIMEDOUT, "slicefs webdav did not answer within 60 s");
}

int DavProcess::Stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

int Curl(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv = {"curl", "-s", "-S", "--max-time", "120"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out);
}

int CurlStatus(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"-o", "/dev/null", "-w", "%{http_code}"};
  a.insert(a.end(), args.begin(), args.end());
  std::string out;
  if (Curl(a, &out) != 0) return -1;
  return std::atoi(out.c_str());
}

}  // namespace slicefs::testing
