// slicefs debug MOUNTPOINT: collects what a bug report needs into one
// tar.gz: version and system, the mount's .config, .stats before and after
// an interval with the access log of that interval, the mount process's
// command line, status, thread stacks (gdb or eu-stack, when installed),
// log tail, and whether the metadata engine answers (`slicefs status`). Secrets are removed: .config has none, and URLs in the command
// line and log lose their passwords.
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "cli/command.h"
#include "cli/control_client.h"
#include "cli/mount_files.h"
#include "cli/mount_util.h"
#include "cli/progress.h"
#include "common/paths.h"
#include "common/url.h"
#include "common/version.h"

namespace slicefs::cli {
namespace {

namespace fs = std::filesystem;

struct DebugArgs {
  std::string path;
  std::string outDir = ".";
  double statsSec = 5;
  size_t logBytes = 1u << 20;
};

std::string ReadAll(const std::string& path, size_t maxTail = 0) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  if (maxTail > 0 && s.size() > maxTail) {
    s.erase(0, s.size() - maxTail);
    auto nl = s.find('\n');
    if (nl != std::string::npos) s.erase(0, nl + 1);
  }
  return s;
}

// Every "scheme://user:password@" in free text loses its password.
std::string RedactText(const std::string& s) {
  static const std::regex url(R"(([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*):[^\s@/]*@)");
  return std::regex_replace(s, url, "$1:****@");
}

// Runs argv with stdout and stderr into `file`; false if it could not run,
// failed or ran out of time.
bool RunToFile(const std::vector<std::string>& argv, const std::string& file, int timeoutSec) {
  auto rc = RunProgram(argv, file, timeoutSec);
  return rc && *rc == 0;
}

bool HaveProgram(const std::string& name) {
  return RunToFile({"sh", "-c", "command -v " + name}, "/dev/null", 5);
}

void Put(const fs::path& dir, const std::string& name, const std::string& content) {
  std::ofstream f(dir / name, std::ios::binary);
  f << content;
  if (!f) throw CommandError("cannot write " + (dir / name).string());
}

std::string SystemInfo() {
  std::string out = std::string("slicefs ") + kVersion + "\n";
  struct utsname u;
  if (uname(&u) == 0) {
    out += std::string("kernel: ") + u.sysname + " " + u.release + " " + u.version + " " + u.machine + "\n";
    out += std::string("host: ") + u.nodename + "\n";
  }
  time_t now = time(nullptr);
  char ts[64];
  strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S %z", localtime(&now));
  out += std::string("collected: ") + ts + "\n\n/etc/os-release:\n" + ReadAll("/etc/os-release");
  out += "\n/proc/loadavg: " + ReadAll("/proc/loadavg");
  out += "\n/proc/meminfo (head):\n" + ReadAll("/proc/meminfo").substr(0, 400);
  out += "\n/proc/cpuinfo processors: ";
  std::string cpu = ReadAll("/proc/cpuinfo");
  size_t n = 0;
  for (size_t p = 0; (p = cpu.find("\nprocessor", p)) != std::string::npos; p++) n++;
  out += std::to_string(n + (cpu.rfind("processor", 0) == 0 ? 1 : 0)) + "\n";
  return out;
}

void Run(const DebugArgs& a) {
  auto root = SlicefsMountRoot(a.path);
  if (!root) throw CommandError(root.error().message());
  if (a.statsSec < 0) throw CommandError("--stats-sec must not be negative");
  std::error_code ec;
  fs::create_directories(a.outDir, ec);
  if (!fs::is_directory(a.outDir)) throw CommandError("--out-dir " + a.outDir + " is not a usable directory");
  if (!HaveProgram("tar")) throw CommandError("tar is needed to write the archive (apt-get install tar)");

  time_t now = time(nullptr);
  char ts[32];
  strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", localtime(&now));
  const std::string name = std::string("slicefs-debug-") + ts + "-" + std::to_string(getpid());
  const fs::path stage = fs::path(TempDirBase()) / name;
  fs::create_directories(stage, ec);
  if (ec) throw CommandError("cannot create " + stage.string() + ": " + ec.message());
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{stage};

  Progress prog("debug", "items");
  Put(stage, "system.txt", SystemInfo());
  prog.Add();
  auto config = ReadMountFile(*root, ".config");
  if (!config) throw CommandError(config.error().message());
  Put(stage, "config.json", *config);
  prog.Add();
  nlohmann::json cfg = nlohmann::json::parse(*config, nullptr, false);
  const int pid = cfg.is_object() && cfg.contains("pid") ? cfg["pid"].get<int>() : 0;
  const std::string logFile = cfg.is_object() && cfg.contains("log") ? cfg["log"].get<std::string>() : "";

  // .stats before and after the interval, the access log in between.
  auto before = ReadMountFile(*root, ".stats");
  if (!before) throw CommandError(before.error().message());
  Put(stage, "stats-before.txt", *before);
  auto tail = AccessLogTail::Open(*root);
  prog.SetNote("sampling for " + std::to_string(static_cast<int>(a.statsSec)) + " s");
  std::this_thread::sleep_for(std::chrono::duration<double>(a.statsSec));
  auto after = ReadMountFile(*root, ".stats");
  if (!after) throw CommandError(after.error().message());
  Put(stage, "stats-after.txt", *after);
  std::string access;
  if (tail) {
    for (auto& l : (*tail)->Take()) access += l + "\n";
  } else {
    access = "not captured: " + tail.error().message() + "\n";
  }
  Put(stage, "accesslog.txt", access);
  prog.Add(3);
  prog.SetNote("");

  // The mount process (when this host's /proc shows it).
  std::string proc = "/proc/" + std::to_string(pid);
  if (pid > 0 && fs::exists(proc)) {
    std::string cmd = ReadAll(proc + "/cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    Put(stage, "cmdline.txt", RedactText(cmd) + "\n");
    Put(stage, "status.txt", ReadAll(proc + "/status"));
    const std::string stacks = (stage / "stacks.txt").string();
    if (HaveProgram("eu-stack")) {
      RunToFile({"eu-stack", "-p", std::to_string(pid)}, stacks, 60);
    } else if (HaveProgram("gdb")) {
      RunToFile({"gdb", "-p", std::to_string(pid), "-batch", "-nx", "-ex", "thread apply all bt"}, stacks, 60);
    } else {
      Put(stage, "stacks.txt", "not collected: neither eu-stack (elfutils) nor gdb is installed\n");
    }
    prog.Add(3);
  } else {
    Put(stage, "cmdline.txt", "the mount process (pid " + std::to_string(pid) + ") is not visible from here\n");
  }
  // Metadata engine reachability: `slicefs status` on the mount's URL (the
  // root's virtual xattr, readable by root and the mount's owner).
  // The full URL comes from the control channel (root and the owner only);
  // the xattr has it without the password (enough with META_PASSWORD set).
  Result<std::string> url = Err(ENODATA, "");
  if (auto mc = FindControl(*root)) {
    if (auto r = CallControl(mc->socket, "meta-url", nlohmann::json::object()); r && r->contains("url"))
      url = (*r)["url"].get<std::string>();
  }
  if (!url) url = MountXattr(*root, std::string(kXattrMetaUrl));
  const std::string statusFile = (stage / "volume-status.txt").string();
  if (url) {
    auto rc = RunProgram({"/proc/self/exe", "status", *url}, statusFile, 60);
    std::string text = ReadAll(statusFile);
    text = "slicefs status " + RedactedUrl(*url) + ": " +
           (rc ? (*rc == 0 ? "reachable" : "exit " + std::to_string(*rc)) : rc.error().message()) + "\n\n" + text;
    Put(stage, "volume-status.txt", RedactText(text));
  } else {
    Put(stage, "volume-status.txt", "metadata URL not readable: " + url.error().message() + "\n");
  }
  prog.Add();
  if (!logFile.empty()) {
    std::string log = ReadAll(logFile, a.logBytes);
    Put(stage, "log-tail.txt", log.empty() ? "cannot read " + logFile + "\n" : RedactText(log));
  } else {
    Put(stage, "log-tail.txt", "the mount has no --log file\n");
  }
  prog.Add();

  const std::string archive = (fs::absolute(a.outDir) / (name + ".tar.gz")).lexically_normal().string();
  const std::string tarLog = (stage.parent_path() / (name + ".tar-errors")).string();
  bool ok = RunToFile({"tar", "czf", archive, "-C", stage.parent_path().string(), name}, tarLog, 120);
  std::string why = ReadAll(tarLog);
  fs::remove(tarLog, ec);
  if (!ok) throw CommandError("tar failed writing " + archive + ": " + why);
  prog.Add();
  prog.Done();
  std::printf("%s\n", archive.c_str());
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<DebugArgs>();
  auto* c = app.add_subcommand("debug", "collect a mount's diagnostics into one archive (MOUNTPOINT)");
  c->add_option("MOUNTPOINT", a->path, "a slicefs mount point (or a path inside one)")->required();
  c->add_option("--out-dir", a->outDir, "where the .tar.gz goes")->capture_default_str();
  c->add_option("--stats-sec", a->statsSec, "seconds between the two .stats readings (access log captured meanwhile)")
      ->capture_default_str();
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("debug", Setup);

}  // namespace slicefs::cli
