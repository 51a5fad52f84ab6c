#include "support/engines.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace slicefs::testing {
namespace {

std::atomic<int> g_counter{0};

std::string UniqueTag() { return "t" + std::to_string(getpid()) + "_" + std::to_string(g_counter.fetch_add(1)); }

// A fresh directory under `base`, else $TMPDIR, else /tmp.
std::string MakeTempDir(const std::string& tag, std::string base = "") {
  if (base.empty()) {
    const char* env = std::getenv("TMPDIR");
    base = env && *env ? env : "/tmp";
  }
  std::string tmpl = base + "/" + tag + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return tmpl;
}

// Servers are started through ShellOutput: they must not inherit this
// process's descriptors (see RunCommand in test_util.h).
Result<std::string> RunCommand(const std::string& cmd) { return ShellOutput(cmd); }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// One server started by this process: its directory, base URL and the pid
// of the process that started it (only that process stops it).
struct Server {
  std::string kind;  // redis | postgres | etcd
  std::string dir;
  std::string url;
  pid_t owner = 0;
};

std::mutex g_mu;
std::map<std::string, Server>* g_servers = new std::map<std::string, Server>();

std::string ScriptDir() { return SourceDir() + "/scripts/servers"; }

void StopAll() {
  std::lock_guard lock(g_mu);
  for (auto& [kind, s] : *g_servers) {
    if (s.owner != getpid()) continue;
    (void)RunCommand(ScriptDir() + "/stop.sh " + Quote(s.dir + "/srv") + " >/dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(s.dir, ec);
  }
  g_servers->clear();
}

// A detached watchdog that stops the server in srvDir and removes rmDir
// when this process dies without running its exit handlers (crash, kill -9).
void StartWatchdog(const std::string& srvDir, const std::string& rmDir) {
  std::string cmd = "setsid bash -c 'while kill -0 " + std::to_string(getpid()) +
                    " 2>/dev/null; do sleep 1; done; " + ScriptDir() + "/stop.sh " + Quote(srvDir) +
                    "; rm -rf " + Quote(rmDir) + "' </dev/null >/dev/null 2>&1 &";
  (void)ShellOutput(cmd);
}

bool ServerInstalled(const std::string& kind) {
  auto inPath = [](const char* bin) { return ShellOutput(std::string("command -v ") + bin).has_value(); };
  if (kind == "redis") return inPath("redis-server") && inPath("redis-cli");
  if (kind == "etcd") return inPath("etcd") && inPath("curl");
  if (kind == "postgres") return access("/usr/lib/postgresql/15/bin/postgres", X_OK) == 0;
  return false;
}

// The base URL of the running `kind` server, starting it on first use.
Result<std::string> ServerUrl(const std::string& kind) {
  std::lock_guard lock(g_mu);
  if (auto it = g_servers->find(kind); it != g_servers->end()) return it->second.url;
  if (!ServerInstalled(kind)) return Err(ENOTSUP, kind + " server is not installed on this machine");
  static bool once = [] {
    std::atexit(StopAll);
    return true;
  }();
  (void)once;
  Server s;
  s.kind = kind;
  // etcd fsyncs every commit (3.4 has no switch to turn that off), which
  // makes it ~5x slower on a disk than on tmpfs: tests keep its data in
  // memory when /dev/shm is there (SLICEFS_ETCD_ON_DISK=1 to opt out).
  std::string base;
  if (kind == "etcd" && access("/dev/shm", W_OK) == 0 && !std::getenv("SLICEFS_ETCD_ON_DISK")) base = "/dev/shm";
  s.dir = MakeTempDir("slicefs-" + kind, base);
  s.owner = getpid();
  StartWatchdog(s.dir + "/srv", s.dir);
  auto url = RunCommand(ScriptDir() + "/start-" + kind + ".sh " + Quote(s.dir + "/srv") + " 2>>" +
                        Quote(s.dir + "/start.err"));
  if (!url) {
    (void)RunCommand(ScriptDir() + "/stop.sh " + Quote(s.dir + "/srv") + " >/dev/null 2>&1");
    auto err = RunCommand("cat " + Quote(s.dir + "/start.err"));
    return Err(EIO, "starting " + kind + " failed: " + (err ? *err : url.error().message()));
  }
  s.url = *url;
  (*g_servers)[kind] = s;
  return s.url;
}

}  // namespace

const std::vector<std::string>& EngineNames() {
  static const std::vector<std::string> names = {"mem", "sqlite3", "redis", "postgres", "etcd"};
  return names;
}

bool EngineIsShared(const std::string& engine) { return engine != "mem"; }

Result<std::string> FreshEngineUrl(const std::string& engine) {
  if (engine == "mem") return "mem://test_" + UniqueTag();
  if (engine == "sqlite3") {
    static std::string* dir = [] {
      auto* d = new std::string(MakeTempDir("slicefs-sqlite"));
      std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(*dir, ec);
      });
      return d;
    }();
    return "sqlite3://" + *dir + "/kv_" + UniqueTag() + ".db";
  }
  if (engine == "redis" || engine == "postgres") {
    ASSIGN_OR_RETURN(auto base, ServerUrl(engine));
    return base + "?prefix=" + UniqueTag();
  }
  if (engine == "etcd") {
    ASSIGN_OR_RETURN(auto base, ServerUrl(engine));
    return base.substr(0, base.rfind('/') + 1) + UniqueTag();
  }
  return Err(EINVAL, "unknown engine '" + engine + "'");
}

Result<std::unique_ptr<KvStore>> OpenFreshEngine(const std::string& engine) {
  ASSIGN_OR_RETURN(auto url, FreshEngineUrl(engine));
  return OpenKvStore(url);
}

Result<std::string> StartServerScript(const std::string& kind, const std::string& dir, const std::string& args) {
  if (!ServerInstalled(kind)) return Err(ENOTSUP, kind + " server is not installed on this machine");
  StartWatchdog(dir, dir);
  auto url = RunCommand(ScriptDir() + "/start-" + kind + ".sh " + Quote(dir) + " " + args + " 2>>" +
                        Quote(dir + ".start.err"));
  if (!url) {
    (void)StopServerScript(dir);
    auto err = RunCommand("cat " + Quote(dir + ".start.err"));
    return Err(EIO, "starting " + kind + " failed: " + (err ? *err : url.error().message()));
  }
  return url;
}

Status StopServerScript(const std::string& dir) {
  auto r = RunCommand(ScriptDir() + "/stop.sh " + Quote(dir) + " >/dev/null 2>&1");
  return r ? Status::OK() : r.error();
}

std::string EngineParamName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

Status RestartEngineServer(const std::string& engine, std::chrono::milliseconds downtime) {
  if (engine != "redis" && engine != "postgres" && engine != "etcd")
    return Status::Error(ENOTSUP, "engine " + engine + " has no server");
  if (auto base = ServerUrl(engine); !base) return base.error();
  std::lock_guard lock(g_mu);
  Server& s = (*g_servers)[engine];
  std::string srv = Quote(s.dir + "/srv");
  auto stopped = RunCommand(ScriptDir() + "/stop.sh " + srv + " >/dev/null 2>&1");
  if (!stopped) return stopped.error();
  std::this_thread::sleep_for(downtime);
  auto url = RunCommand(ScriptDir() + "/start-" + engine + ".sh " + srv + " 2>>" + Quote(s.dir + "/start.err"));
  if (!url) return url.error();
  if (*url != s.url) return Status::IOError("restarted " + engine + " has a new URL " + *url);
  return Status::OK();
}

}  // namespace slicefs::testing
