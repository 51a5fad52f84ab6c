// slicefs umount MOUNTPOINT [--force]: unmount and wait for the mount
// process to flush and exit.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/command.h"
#include "cli/mount_util.h"

namespace slicefs::cli {
namespace {

// Alive and not a zombie (a daemon reparented to a non-reaping init stays
// a zombie after it exits).
bool Alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  auto p = s.rfind(')');
  return p == std::string::npos || p + 2 >= s.size() || s[p + 2] != 'Z';
}

void Run(const std::string& mountpoint, bool force, int waitSec) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(mountpoint, ec).lexically_normal().string();
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  if (!IsMountPoint(abs)) throw CommandError(abs + " is not mounted");
  pid_t pid = 0;
  if (auto p = MountXattr(abs, std::string(kXattrPid))) pid = std::atoi(p->c_str());
  std::vector<std::string> argv = {"fusermount3", "-u"};
  if (force) argv.push_back("-z");
  argv.push_back(abs);
  auto rc = RunProgram(argv);
  if (!rc) throw CommandError(rc.error().message());
  if (*rc != 0) {
    throw CommandError("cannot unmount " + abs +
                       (force ? "" : " (busy? close files using it, or use --force)"));
  }
  if (pid <= 0 || pid == getpid()) return;
  // The mount process flushes buffered data and closes its session before
  // exiting; wait for it so that a following mount sees everything.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(waitSec);
  while (Alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw CommandError("unmounted, but mount process " + std::to_string(pid) +
                         " is still running after " + std::to_string(waitSec) + "s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Setup(CLI::App& app) {
  auto mp = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto wait = std::make_shared<int>(60);
  auto* c = app.add_subcommand("umount", "unmount a volume (MOUNTPOINT)");
  c->add_option("MOUNTPOINT", *mp, "where the volume is mounted")->required();
  c->add_flag("-f,--force", *force, "lazy unmount even if busy");
  c->add_option("--wait", *wait, "seconds to wait for the mount process to exit")->capture_default_str();
  c->callback([=] { Run(*mp, *force, *wait); });
}

}  // namespace

REGISTER_COMMAND("umount", Setup);

}  // namespace slicefs::cli
