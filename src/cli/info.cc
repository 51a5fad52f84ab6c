// slicefs info PATH... [-r]: where a file's bytes live. For a file: its
// inode, length and a table of chunk index, slice id, pos, offset, length
// and the object keys holding those bytes; -r on a directory: a summary of
// the tree (files, dirs, bytes) from the directory stats. Runs in the mount
// through its control channel (vfs/control/cmd_info.cc), with the caller's
// credentials; a large file's table comes in pages of chunks.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/control_cmd.h"

namespace slicefs::cli {
namespace {

void PrintChunks(const nlohmann::json& chunks) {
  for (const auto& r : chunks) {
    std::printf("  %6u %12llu %10u %10u %10u", r.value("index", 0u), (unsigned long long)r.value("id", uint64_t{0}),
                r.value("pos", 0u), r.value("off", 0u), r.value("len", 0u));
    const auto& objects = r["objects"];
    if (objects.empty()) {
      std::printf("  (hole)\n");
      continue;
    }
    for (size_t b = 0; b < objects.size(); b++) {
      std::printf("%s%s\n", b == 0 ? "  " : std::string(58, ' ').c_str(), objects[b].get<std::string>().c_str());
    }
  }
}

void Run(const std::vector<std::string>& paths, bool recursive) {
  const auto abs = ClientPaths(paths);
  for (size_t i = 0; i < abs.size(); i++) {
    nlohmann::json args{{"path", abs[i]}, {"recursive", recursive}};
    auto r = RunOrThrow(abs[i], "info", args, nullptr);
    std::printf("%s:\n  inode: %llu\n  type: %s\n  size: %llu\n", paths[i].c_str(),
                (unsigned long long)r.value("ino", uint64_t{0}), r.value("type", std::string("?")).c_str(),
                (unsigned long long)r.value("length", uint64_t{0}));
    if (r.contains("chunks")) {
      std::printf("  chunks:\n");
      std::printf("  %6s %12s %10s %10s %10s  %s\n", "chunk", "slice", "pos", "offset", "length", "objects");
      for (;;) {
        PrintChunks(r["chunks"]);
        if (!r.contains("next")) break;
        args["from"] = r["next"];
        r = RunOrThrow(abs[i], "info", args, nullptr);
      }
    }
    if (r.contains("summary")) {
      const auto& s = r["summary"];
      std::printf("  files: %llu\n  dirs: %llu\n  bytes: %llu\n", (unsigned long long)s.value("files", uint64_t{0}),
                  (unsigned long long)s.value("dirs", uint64_t{0}), (unsigned long long)s.value("length", uint64_t{0}));
    }
  }
}

void Setup(CLI::App& app) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto rec = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("info", "show a file's inode, chunks, slices and object keys");
  c->add_option("PATH", *paths, "files or directories inside a mount")->required();
  c->add_flag("-r,--recursive", *rec, "summarize a directory tree (files, dirs, bytes)");
  c->callback([=] { Run(*paths, *rec); });
}

}  // namespace

REGISTER_COMMAND("info", Setup);

}  // namespace slicefs::cli
