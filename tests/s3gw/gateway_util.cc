#include "s3gw/gateway_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_util.h"

namespace slicefs::testing {

namespace {

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

int WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > end) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<std::unique_ptr<GatewayProcess>> GatewayProcess::Start(const std::string& metaUrl,
                                                              const std::vector<std::string>& extra,
                                                              const std::string& accessKey,
                                                              const std::string& secretKey) {
  std::unique_ptr<GatewayProcess> g(new GatewayProcess());
  g->port_ = FreePort();
  char tmpl[] = "/tmp/slicefs-gateway-log-XXXXXX";
  int logFd = mkstemp(tmpl);
  if (logFd < 0) return Err(errno, "mkstemp");
  g->logPath_ = tmpl;
  std::vector<std::string> args = {SlicefsBinary(), "gateway", metaUrl, "127.0.0.1:" + std::to_string(g->port_)};
  for (const auto& e : extra) args.push_back(e);
  pid_t pid = fork();
  if (pid < 0) return Err(errno, "fork");
  if (pid == 0) {
    dup2(logFd, 1);
    dup2(logFd, 2);
    int nul = open("/dev/null", O_RDONLY);
    dup2(nul, 0);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    setenv("SLICEFS_GATEWAY_ACCESS_KEY", accessKey.c_str(), 1);
    setenv("SLICEFS_GATEWAY_SECRET_KEY", secretKey.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(logFd);
  g->pid_ = pid;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!Accepts(g->port_)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      g->pid_ = -1;
      return Err(EIO, "the gateway exited at start: " + g->log());
    }
    if (std::chrono::steady_clock::now() > end) return Err(ETIMEDOUT, "the gateway did not start: " + g->log());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return g;
}

int GatewayProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int rc = WaitExit(pid_, std::chrono::seconds(10));
  if (rc == -1) {
    kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
  return rc;
}

GatewayProcess::~GatewayProcess() {
  Stop();
  if (!logPath_.empty()) unlink(logPath_.c_str());
}

std::string GatewayProcess::log() const {
  std::ifstream f(logPath_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string PythonWithBoto3() {
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    if (RunCommand({py, "-c", "import boto3"}) == 0) return py;
  }
  return "";
}

std::string AwsCli() {
  if (access("/usr/bin/aws", X_OK) == 0) return "/usr/bin/aws";
  if (RunCommand({"aws", "--version"}) == 0) return "aws";
  return "";
}

}  // namespace slicefs::testing
