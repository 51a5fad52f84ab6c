// slicefs load META-URL [FILE]: loads a slicefs dump or a JuiceFS 1.x
// `juicefs dump` document (plain, gzip or zstd; stdin when FILE is - or
// absent) into an empty engine. A refused document leaves it empty. After a
// JuiceFS load, {volume}/slicefs_uuid is written beside the JuiceFS data so
// that the volume mounts from its existing bucket.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "cli/command.h"
#include "cli/dump_source.h"
#include "common/url.h"
#include "kv/kv.h"
#include "meta/dump.h"
#include "meta/meta.h"
#include "object/storage_setup.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct LoadArgs {
  std::string metaUrl;
  DumpSourceArgs src;
};

void RunLoad(const LoadArgs& a) {
  if (!a.src.fromBucket.empty() && !a.src.file.empty()) throw CommandError("give either FILE or --from-bucket, not both");
  DumpSource src = OpenDumpSource(a.src);
  auto store = Check(Volume::OpenEngine(a.metaUrl, /*mustExist=*/false));
  auto r = LoadFromSource(*store, src, "load");
  if (!r) {
    if (r.error().is(EEXIST)) throw CommandError(r.error().message());
    throw CommandError("the dump was refused and nothing was loaded: " + r.error().message());
  }
  std::fprintf(stderr, "loaded %llu inodes (%llu files, %llu directories) from a %s dump\n",
               static_cast<unsigned long long>(r->totals.inodes), static_cast<unsigned long long>(r->files),
               static_cast<unsigned long long>(r->dirs), r->source.c_str());
  for (const auto& w : r->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (r->source == "juicefs") {
    // A JuiceFS bucket has juicefs_uuid; mounts check {volume}/slicefs_uuid.
    auto fmt = Check(Meta::LoadFormat(*store));
    Status st = Volume::PrepareStorage(fmt);
    if (!st.ok())
      std::fprintf(stderr,
                   "warning: could not write %s to the bucket (%s): before mounting, run `slicefs format %s %s "
                   "--force` with the storage credentials\n",
                   UuidObjectKey(fmt.name).c_str(), st.message().c_str(), RedactedUrl(a.metaUrl).c_str(),
                   fmt.name.c_str());
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<LoadArgs>();
  auto* cmd = app.add_subcommand("load", "Load a dump (slicefs or JuiceFS JSON) into an empty engine");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("FILE", a->src.file, "dump file (plain, .gz or .zst); - or absent: standard input");
  AddDumpSourceOptions(cmd, a->src);
  cmd->callback([a] { RunLoad(*a); });
}

}  // namespace

REGISTER_COMMAND("load", Setup);

}  // namespace slicefs::cli
