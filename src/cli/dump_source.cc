#include "cli/dump_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/command.h"
#include "cli/dump_progress.h"
#include "cli/encrypt_key.h"
#include "common/volume_format.h"
#include "vfs/volume.h"
#include "vfs/backup.h"
#include "object/rsa_key.h"

namespace slicefs::cli {

DumpSource OpenDumpSource(const DumpSourceArgs& a) {
  DumpSource out;
  out.accessKey = a.accessKey;
  out.secretKey = a.secretKey;
  std::unique_ptr<ByteSource> raw;
  if (!a.fromBucket.empty()) {
    VolumeFormat f;
    f.name = a.fromBucket;
    f.storage = a.storage;
    f.bucket = a.bucket;
    const char* envAk = std::getenv("AWS_ACCESS_KEY_ID");
    const char* envSk = std::getenv("AWS_SECRET_ACCESS_KEY");
    f.accessKey = a.accessKey.empty() && envAk ? envAk : a.accessKey;
    f.secretKey = a.secretKey.empty() && envSk ? envSk : a.secretKey;
    out.accessKey = f.accessKey;  // backups carry "removed": keep the ones that opened the bucket
    out.secretKey = f.secretKey;
    if (!a.encryptRsaKey.empty()) {  // backups of an encrypted volume
      f.encryptKey = ReadPemFile(a.encryptRsaKey);
      f.encryptAlgo = a.encryptAlgo;
    }
    out.store = Check(Volume::OpenStorage(f), "opening the bucket");
    auto all = Check(ListBackups(*out.store, f.name), "listing backups");
    std::string key;
    if (a.backup.empty()) {
      if (all.empty())
        throw CommandError("no backup of volume '" + f.name + "' in " + out.store->describe() + " (" +
                           BackupPrefix(f.name) + "*)");
      key = all.back();
    } else {
      key = a.backup.find('/') == std::string::npos ? f.name + "/meta/" + a.backup : a.backup;
      if (std::find(all.begin(), all.end(), key) == all.end())
        throw CommandError("no backup '" + key + "' in " + out.store->describe());
    }
    if (f.encryptKey.empty()) {
      auto head = out.store->get(key, 0, 4);
      if (head && *head == "SFEC")
        throw CommandError("backup " + key + " is encrypted: pass --encrypt-rsa-key (passphrase in $" +
                           std::string(kRsaPassphraseEnv) + ")");
    }
    std::fprintf(stderr, "restoring from %s\n", key.c_str());
    raw = NewObjectSource(*out.store, key);
  } else if (a.file.empty() || a.file == "-") {
    raw = NewFdSource(STDIN_FILENO, false, "standard input");
  } else {
    int fd = ::open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw CommandError("cannot open '" + a.file + "': " + std::strerror(errno));
    raw = NewFdSource(fd, true, "'" + a.file + "'");
  }
  out.in = NewDecompressingSource(std::move(raw));
  return out;
}

Result<LoadStats> LoadFromSource(KvStore& kv, DumpSource& src, const char* verb) {
  LoadOptions opts;
  opts.accessKey = src.accessKey;
  opts.secretKey = src.secretKey;
  DumpProgressLine line(verb);
  opts.progress = line.fn();
  auto r = LoadVolume(kv, *src.in, opts);
  line.Done();
  return r;
}

void AddDumpSourceOptions(CLI::App* cmd, DumpSourceArgs& a) {
  cmd->add_option("--access-key", a.accessKey, "access key to store in the loaded format (and to read the bucket)");
  cmd->add_option("--secret-key", a.secretKey, "secret key to store (dumps carry \"removed\") and to read the bucket");
  cmd->add_option("--from-bucket", a.fromBucket, "read VOLUME's newest backup from {VOLUME}/meta/ in the bucket");
  cmd->add_option("--storage", a.storage, "with --from-bucket: file, s3 or mem")->capture_default_str();
  cmd->add_option("--bucket", a.bucket, "with --from-bucket: the bucket (directory or endpoint URL)");
  cmd->add_option("--backup", a.backup, "with --from-bucket: this backup (dump-YYYY-MM-DD-HHMMSS.json.gz), not the newest");
  cmd->add_option("--encrypt-rsa-key", a.encryptRsaKey,
                  "with --from-bucket: the RSA key (PEM) of an encrypted volume; passphrase from $" +
                      std::string(kRsaPassphraseEnv));
  cmd->add_option("--encrypt-algo", a.encryptAlgo, "with --encrypt-rsa-key: aes256gcm-rsa or chacha20-rsa")
      ->check(CLI::IsMember({"aes256gcm-rsa", "chacha20-rsa"}))
      ->capture_default_str();
}

}  // namespace slicefs::cli
