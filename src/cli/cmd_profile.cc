// slicefs profile MOUNTPOINT|LOGFILE: the top operations, processes and
// users by count and time, from a mount's live .accesslog (one report per
// interval) or from a saved copy of it (one report for the whole file).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "cli/access_profile.h"
#include "cli/command.h"
#include "cli/mount_files.h"

namespace slicefs::cli {
namespace {

struct ProfileArgs {
  std::string path;
  double interval = 2;
  std::optional<uint32_t> uid, gid, pid;
  int count = 0;
  size_t top = 10;
};

std::string Comm(uint32_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(f, s);
  return s;
}

void Replay(const ProfileArgs& a, const ProfileFilter& f) {
  std::ifstream in(a.path);
  if (!in) throw CommandError("cannot read " + a.path + ": " + std::strerror(errno));
  AccessProfile p(f);
  std::string line;
  uint64_t lines = 0, ops = 0;
  while (std::getline(in, line)) {
    lines++;
    ops += p.Add(line) ? 1 : 0;
  }
  if (lines > 0 && ops == 0) throw CommandError(a.path + " has no access-log lines (a copy of a mount's .accesslog?)");
  std::fputs(("slicefs profile " + a.path + ": " + p.Report(0, a.top)).c_str(), stdout);
}

void Live(const ProfileArgs& a, const ProfileFilter& f, const std::string& root) {
  auto tail = AccessLogTail::Open(root);
  if (!tail) throw CommandError(tail.error().message());
  const bool tty = ::isatty(1);
  AccessProfile p(f);
  for (int i = 0; a.count == 0 || i < a.count; i++) {
    auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(a.interval));
    bool ended = false;
    std::string err;
    p.Clear();
    for (auto& l : (*tail)->Take(&ended, &err)) p.Add(l);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string out = tty ? "\033[H\033[2J" : "";
    out += "slicefs profile " + root + " (every " + std::to_string(a.interval).substr(0, 4) + " s): " +
           p.Report(dt, a.top, Comm);
    if (!tty) out += "\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    if (ended) throw CommandError("the access log ended" + (err.empty() ? "" : ": " + err) + " (unmounted?)");
  }
}

void Run(const ProfileArgs& a) {
  if (a.interval <= 0) throw CommandError("--interval must be positive");
  ProfileFilter f{a.uid, a.gid, a.pid};
  struct stat s;
  if (::stat(a.path.c_str(), &s) != 0) throw CommandError(a.path + ": " + std::strerror(errno));
  if (S_ISREG(s.st_mode)) return Replay(a, f);
  auto root = SlicefsMountRoot(a.path);
  if (!root) throw CommandError(root.error().message());
  Live(a, f, *root);
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<ProfileArgs>();
  auto* c = app.add_subcommand("profile", "top operations of a mount's access log (MOUNTPOINT or LOGFILE)");
  c->add_option("MOUNTPOINT|LOGFILE", a->path, "a slicefs mount (live) or a saved .accesslog copy")->required();
  c->add_option("--interval", a->interval, "seconds per live report")->capture_default_str();
  c->add_option("--uid", a->uid, "only operations of this user id");
  c->add_option("--gid", a->gid, "only operations of this group id");
  c->add_option("--pid", a->pid, "only operations of this process id");
  c->add_option("--count", a->count, "stop after this many live reports (0: until interrupted)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--top", a->top, "rows per table")->capture_default_str()->check(CLI::Range(1, 1000));
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("profile", Setup);

}  // namespace slicefs::cli
