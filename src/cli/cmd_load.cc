// slicefs load META-URL [FILE]: loads a slicefs dump or a JuiceFS 1.x
// `juicefs dump` document (plain, gzip or zstd; stdin when FILE is - or
// absent) into an empty engine. A refused document leaves it empty. After a
// JuiceFS load, {volume}/slicefs_uuid is written beside the JuiceFS data so
// that the volume mounts from its existing bucket.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/command.h"
#include "cli/dump_progress.h"
#include "common/byte_stream.h"
#include "kv/kv.h"
#include "meta/dump.h"
#include "meta/meta.h"
#include "object/open_store.h"
#include "object/storage_setup.h"
#include "vfs/backup.h"

namespace slicefs::cli {
namespace {

struct LoadArgs {
  std::string metaUrl, file, accessKey, secretKey;
  // Restore from the bucket: the volume's backups under {volume}/meta/.
  std::string fromBucket, storage = "file", bucket, backup;
};

void RunLoad(const LoadArgs& a) {
  std::unique_ptr<ByteSource> raw;
  std::unique_ptr<ObjectStore> bucketStore;
  std::string ak = a.accessKey, sk = a.secretKey;
  if (!a.fromBucket.empty()) {
    if (!a.file.empty()) throw CommandError("give either FILE or --from-bucket, not both");
    VolumeFormat f;
    f.name = a.fromBucket;
    f.storage = a.storage;
    f.bucket = a.bucket;
    f.accessKey = a.accessKey.empty() && std::getenv("AWS_ACCESS_KEY_ID") ? std::getenv("AWS_ACCESS_KEY_ID") : a.accessKey;
    f.secretKey = a.secretKey.empty() && std::getenv("AWS_SECRET_ACCESS_KEY") ? std::getenv("AWS_SECRET_ACCESS_KEY") : a.secretKey;
    ak = f.accessKey;
    sk = f.secretKey;  // backups carry "removed": store the ones that opened the bucket
    bucketStore = Check(OpenObjectStore(f), "opening the bucket");
    auto all = Check(ListBackups(*bucketStore, f.name), "listing backups");
    std::string key;
    if (a.backup.empty()) {
      if (all.empty())
        throw CommandError("no backup of volume '" + f.name + "' in " + bucketStore->describe() + " (" +
                           BackupPrefix(f.name) + "*)");
      key = all.back();
    } else {
      key = a.backup.find('/') == std::string::npos ? f.name + "/meta/" + a.backup : a.backup;
      if (std::find(all.begin(), all.end(), key) == all.end())
        throw CommandError("no backup '" + key + "' in " + bucketStore->describe());
    }
    std::fprintf(stderr, "restoring from %s\n", key.c_str());
    raw = NewObjectSource(*bucketStore, key);
  } else if (a.file.empty() || a.file == "-") {
    raw = NewFdSource(STDIN_FILENO, false, "standard input");
  } else {
    int fd = ::open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw CommandError("cannot open '" + a.file + "': " + std::strerror(errno));
    raw = NewFdSource(fd, true, "'" + a.file + "'");
  }
  auto in = NewDecompressingSource(std::move(raw));
  auto store = Check(OpenKvStore(a.metaUrl));
  LoadOptions opts;
  opts.accessKey = ak;
  opts.secretKey = sk;
  DumpProgressLine line("load");
  opts.progress = line.fn();
  auto r = LoadVolume(*store, *in, opts);
  line.Done();
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
    Status st = PrepareStorage(fmt);
    if (!st.ok())
      std::fprintf(stderr,
                   "warning: could not write %s to the bucket (%s): before mounting, run `slicefs format %s %s "
                   "--force` with the storage credentials\n",
                   UuidObjectKey(fmt.name).c_str(), st.message().c_str(), a.metaUrl.c_str(), fmt.name.c_str());
  }
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<LoadArgs>();
  auto* cmd = app.add_subcommand("load", "Load a dump (slicefs or JuiceFS JSON) into an empty engine");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("FILE", a->file, "dump file (plain, .gz or .zst); - or absent: standard input");
  cmd->add_option("--access-key", a->accessKey, "access key to store (replaces the dump's)");
  cmd->add_option("--secret-key", a->secretKey, "secret key to store (dumps carry \"removed\")");
  cmd->add_option("--from-bucket", a->fromBucket, "restore VOLUME's newest backup from {VOLUME}/meta/ in the bucket");
  cmd->add_option("--storage", a->storage, "with --from-bucket: file, s3 or mem")->capture_default_str();
  cmd->add_option("--bucket", a->bucket, "with --from-bucket: the bucket (directory or endpoint URL)");
  cmd->add_option("--backup", a->backup, "with --from-bucket: this backup (dump-YYYY-MM-DD-HHMMSS.json.gz) instead of the newest");
  cmd->callback([a] { RunLoad(*a); });
}

}  // namespace

REGISTER_COMMAND("load", Setup);

}  // namespace slicefs::cli
