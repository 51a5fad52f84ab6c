// slicefs export SOURCE DEST [--path P]: copies files out of a volume into
// a local directory without mounting it. SOURCE is a META-URL, a dump file,
// or (with --from-bucket VOLUME) the volume's newest backup in its bucket,
// so it works when the engine is gone: a dump is first loaded into a
// temporary sqlite3 database, then the volume is opened read-only on it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cli/command.h"
#include "common/paths.h"
#include "cli/dump_source.h"
#include "kv/kv.h"
#include "meta/dump.h"
#include "vfs/export.h"
#include "vfs/path_fs.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct ExportArgs {
  std::vector<std::string> args;  // SOURCE DEST, or DEST alone with --from-bucket
  std::string source, dest, path = "/";
  DumpSourceArgs src;
};

void RunExport(ExportArgs a) {
  const size_t want = a.src.fromBucket.empty() ? 2 : 1;
  if (a.args.size() != want)
    throw CommandError(want == 2 ? "expected SOURCE DEST" : "with --from-bucket, expected DEST only");
  if (want == 2) a.source = a.args[0];
  a.dest = a.args.back();
  std::string metaUrl;
  std::filesystem::path tmp;
  struct Cleanup {
    std::filesystem::path& p;
    ~Cleanup() {
      std::error_code ec;
      if (!p.empty()) std::filesystem::remove_all(p, ec);
    }
  } cleanup{tmp};
  const bool isUrl = a.src.fromBucket.empty() && a.source.find("://") != std::string::npos;
  if (isUrl) {
    metaUrl = a.source;
  } else {
    if (a.src.fromBucket.empty()) a.src.file = a.source;
    DumpSource src = OpenDumpSource(a.src);
    std::string tmpl = TempDirBase() + "/slicefs-export-XXXXXX";
    if (!mkdtemp(tmpl.data()))
      throw CommandError("cannot create a temporary directory in " + TempDirBase() + ": " + std::strerror(errno) +
                         " (set TMPDIR to a writable directory)");
    tmp = tmpl;
    metaUrl = "sqlite3://" + (tmp / "meta.db").string();
    auto kv = Check(Volume::OpenEngine(metaUrl, /*mustExist=*/false));
    auto r = LoadFromSource(*kv, src, "reading the dump");
    if (!r) throw CommandError("the dump cannot be read: " + r.error().message());
  }
  VolumeOptions vo;
  vo.readOnly = true;
  vo.cacheLocalStorage = false;
  auto vol = Check(Volume::Open(metaUrl, vo));
  PathFs fs((*vol).vfs(), Ctx::Root());
  ExportOptions eo;
  eo.onError = [](const std::string& line) { std::fprintf(stderr, "error: %s\n", line.c_str()); };
  auto st = Check(ExportTree(fs, a.path, a.dest, eo));
  std::fprintf(stderr, "exported %llu files (%.1f MiB), %llu directories, %llu symlinks, %llu hard links, %llu others",
               static_cast<unsigned long long>(st.files), static_cast<double>(st.bytes) / (1 << 20),
               static_cast<unsigned long long>(st.dirs), static_cast<unsigned long long>(st.symlinks),
               static_cast<unsigned long long>(st.links), static_cast<unsigned long long>(st.others));
  if (!st.failed.empty()) {
    std::fprintf(stderr, "; %zu failed (listed above)\n", st.failed.size());
    throw CommandError(std::to_string(st.failed.size()) + " files could not be exported", 2);
  }
  std::fprintf(stderr, "\n");
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Copy files out of a volume (or a dump / backup of it) without mounting");
  cmd->add_option("SOURCE DEST", a->args,
                  "SOURCE: a META-URL or a dump file (omitted with --from-bucket); DEST: local directory (created if missing)")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--path", a->path, "directory of the volume to export")->capture_default_str();
  AddDumpSourceOptions(cmd, a->src);
  cmd->callback([a] { RunExport(*a); });
}

}  // namespace

REGISTER_COMMAND("export", Setup);

}  // namespace slicefs::cli
