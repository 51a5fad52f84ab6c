// slicefs warmup PATH... [--threads N] [--evict] [--check] [--file LIST]:
// load files' blocks into the mount's cache, drop them, or report how much
// is cached, in the mount (vfs/control/cmd_warmup.cc).
#include <cstdio>
#include <fstream>

#include "cli/command.h"
#include "cli/control_cmd.h"
#include "common/size.h"

namespace slicefs::cli {
namespace {

struct Args {
  std::vector<std::string> paths;
  std::string listFile;
  int threads = 10;
  bool evict = false, check = false, quiet = false;
};

double Percent(uint64_t part, uint64_t whole) { return whole == 0 ? 100.0 : 100.0 * double(part) / double(whole); }

void Run(Args a) {
  if (a.threads < 1 || a.threads > 256) throw CommandError("--threads must be between 1 and 256");
  if (a.evict && a.check) throw CommandError("--evict and --check exclude each other");
  if (!a.listFile.empty()) {
    std::ifstream in(a.listFile);
    if (!in) throw CommandError("cannot read the list " + a.listFile);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) a.paths.push_back(line);
    }
  }
  if (a.paths.empty()) throw CommandError("no PATH given (arguments or --file)");
  auto abs = ClientPaths(a.paths);
  const char* verb = a.evict ? "evict" : a.check ? "check" : "warmup";
  Progress progress(verb, "files", a.quiet || a.check);
  auto r = RunOrThrow(abs[0], "warmup",
                      {{"paths", abs}, {"threads", a.threads}, {"evict", a.evict}, {"check", a.check}}, &progress);
  const uint64_t bytes = r.value("bytes", uint64_t{0}), cached = r.value("cached", uint64_t{0});
  progress.SetCount(r.value("files", uint64_t{0}));
  progress.SetBytes(a.evict ? bytes : cached);
  if (a.check) {
    progress.Stop();
    for (const auto& p : r["paths"]) {
      uint64_t b = p.value("bytes", uint64_t{0}), c = p.value("cached", uint64_t{0});
      std::printf("%s: %llu files, %s of %s cached (%.1f%%)\n", p.value("path", std::string()).c_str(),
                  (unsigned long long)p.value("files", uint64_t{0}), FormatSize(c).c_str(), FormatSize(b).c_str(),
                  Percent(c, b));
    }
    std::printf("total: %s of %s cached (%.1f%%)\n", FormatSize(cached).c_str(), FormatSize(bytes).c_str(),
                Percent(cached, bytes));
  } else {
    progress.Done();
  }
  if (uint64_t s = r.value("skipped", uint64_t{0})) std::fprintf(stderr, "%s: %llu files skipped (not readable)\n", verb, (unsigned long long)s);
  if (uint64_t failed = r.value("failed", uint64_t{0})) {
    throw CommandError(FormatCount(failed) + " blocks could not be loaded (see the mount's log)");
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("warmup", "build (or drop, or check) the cache for files and directories");
  c->add_option("PATH", a->paths, "files or directories inside a mount");
  c->add_option("-f,--file", a->listFile, "a file listing paths, one per line");
  c->add_option("-p,--threads", a->threads, "blocks loaded at once")->capture_default_str();
  c->add_flag("--evict", a->evict, "drop the blocks from the cache instead");
  c->add_flag("--check", a->check, "report how much of the data is cached");
  c->add_flag("-q,--quiet", a->quiet, "no progress line or summary");
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("warmup", Setup);

}  // namespace slicefs::cli
