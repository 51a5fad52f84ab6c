// slicefs summary PATH [--depth N] [--entries N] [--csv]: sizes and counts
// of a tree inside a mount, computed by the mount (control command
// "summary", src/vfs/control/cmd_summary.cc) from per-directory stats, so
// it reads directories only. Prints one row per directory down to --depth,
// the largest --entries subdirectories of each, the rest folded into "...".
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/control_client.h"
#include "common/size.h"

namespace slicefs::cli {
namespace {

struct SummaryArgs {
  std::string path;
  int depth = 2;
  int entries = 10;
  bool csv = false;
};

void PrintRows(const nlohmann::json& n, const std::string& path, bool csv, int level) {
  const std::string name = n.value("name", std::string());
  const std::string here = level == 0 ? path : path + "/" + name;
  const uint64_t size = n.value("size", uint64_t{0}), length = n.value("length", uint64_t{0});
  const uint64_t dirs = n.value("dirs", uint64_t{0}), files = n.value("files", uint64_t{0});
  if (csv) {
    std::printf("%s,%llu,%llu,%llu,%llu\n", here.c_str(), static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(length), static_cast<unsigned long long>(dirs),
                static_cast<unsigned long long>(files));
  } else {
    std::printf("%-40s %12s %12s %10llu %10llu\n", here.c_str(), FormatSize(size).c_str(), FormatSize(length).c_str(),
                static_cast<unsigned long long>(dirs), static_cast<unsigned long long>(files));
  }
  if (n.contains("children") && n["children"].is_array())
    for (const auto& c : n["children"]) PrintRows(c, here, csv, level + 1);
}

void Run(const SummaryArgs& a) {
  auto abs = Check(ClientPath(a.path));
  nlohmann::json args{{"path", abs}, {"depth", a.depth}, {"entries", a.entries}};
  auto r = Check(RunOnMount(abs, "summary", args, nullptr), "summary of " + a.path);
  if (a.csv) {
    std::printf("path,size,length,dirs,files\n");
  } else {
    std::printf("%-40s %12s %12s %10s %10s\n", "PATH", "SIZE", "LENGTH", "DIRS", "FILES");
  }
  PrintRows(r, a.path, a.csv, 0);
}

void Setup(CLI::App& app) {
  auto args = std::make_shared<SummaryArgs>();
  auto* cmd = app.add_subcommand("summary", "Show sizes and file/directory counts of a tree in a mount");
  cmd->add_option("PATH", args->path, "a directory (or file) inside a slicefs mount")->required();
  cmd->add_option("--depth", args->depth, "directory levels shown below PATH")->capture_default_str()->check(CLI::Range(0, 100));
  cmd->add_option("--entries", args->entries, "subdirectories shown per directory, largest first (0 = all)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--csv", args->csv, "comma-separated output: path,size,length,dirs,files (bytes)");
  cmd->callback([args] { Run(*args); });
}

}  // namespace

REGISTER_COMMAND("summary", Setup);

}  // namespace slicefs::cli
