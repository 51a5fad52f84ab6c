// slicefs dump META-URL [FILE] [--subdir PATH] [--keep-secret-key]: the
// volume's metadata as one JSON document (docs/formats.md, "Metadata
// dump"), to stdout or FILE (FILE.gz / FILE.zst compressed). A FILE is
// written under a temporary name and renamed when complete.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cli/command.h"
#include "cli/dump_progress.h"
#include "common/byte_stream.h"
#include "common/url.h"
#include "kv/kv.h"
#include "meta/dump.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct DumpArgs {
  std::string metaUrl, file, subdir;
  bool keepSecret = false;
};

void RunDump(const DumpArgs& a) {
  auto store = Check(Volume::OpenEngine(a.metaUrl, /*mustExist=*/true));
  const bool toStdout = a.file.empty() || a.file == "-";
  std::string tmp;
  std::unique_ptr<ByteSink> sink;
  if (toStdout) {
    sink = NewFdSink(STDOUT_FILENO, false, "standard output");
  } else {
    tmp = a.file + ".tmp-" + std::to_string(getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw CommandError("cannot create '" + a.file + "': " + std::strerror(errno));
    sink = NewCompressingSink(NewFdSink(fd, true, "'" + a.file + "'"), CompressionForName(a.file));
  }
  DumpOptions opts;
  opts.keepSecrets = a.keepSecret;
  opts.subdir = a.subdir;
  DumpProgressLine line("dump");
  opts.progress = line.fn();
  auto r = DumpVolume(*store, *sink, opts);
  Status st = r ? sink->Finish() : r.error();
  sink.reset();
  line.Done();
  if (!st.ok()) {
    if (!tmp.empty()) ::unlink(tmp.c_str());
    if (st.is(ENOENT) && st.message() == "volume not formatted")
      throw CommandError("volume not formatted in " + Check(Url::Parse(a.metaUrl)).Redacted());
    Check(st, "dump");
  }
  if (!tmp.empty() && ::rename(tmp.c_str(), a.file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw CommandError("cannot rename the dump to '" + a.file + "': " + std::strerror(errno));
  }
  std::fprintf(stderr, "dumped %llu inodes in %llu records%s\n", static_cast<unsigned long long>(r->totals.inodes),
               static_cast<unsigned long long>(r->totals.records),
               r->snapshot ? " (one consistent snapshot)" : " (not a snapshot: the engine offers none)");
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<DumpArgs>();
  auto* cmd = app.add_subcommand("dump", "Write the volume's metadata as one JSON document");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("FILE", a->file, "output file (.gz/.zst: compressed); - or absent: standard output");
  cmd->add_option("--subdir", a->subdir, "dump only this directory's subtree (it becomes the root)");
  cmd->add_flag("--keep-secret-key", a->keepSecret, "keep the secret key and session token (else \"removed\")");
  cmd->callback([a] { RunDump(*a); });
}

}  // namespace

REGISTER_COMMAND("dump", Setup);

}  // namespace slicefs::cli
