// slicefs config META-URL [--trash-days N] [--capacity SIZE] [--inodes N]
// [--storage S] [--bucket B] [--access-key K] [--secret-key S]
// [--session-token T] [--yes]: changes settings in the volume format (the
// `setting` key) and prints what changed, secrets masked; without flags
// prints the current settings. A new storage/bucket/credential set is
// accepted only if it holds this volume's UUID object. Settings fixed at
// format (block size, compression, hash prefix, name) are refused.
// Running mounts read the format when they start: changes apply to mounts
// started afterwards (remount).
#include <cstdio>
#include <optional>

#include "cli/command.h"
#include "common/encoding.h"
#include "common/size.h"
#include "meta/keys.h"
#include "vfs/maintenance.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct ConfigArgs {
  std::string metaUrl;
  std::optional<uint32_t> trashDays;
  std::optional<std::string> capacity, storage, bucket, accessKey, secretKey, sessionToken;
  std::optional<uint64_t> inodes;
  std::optional<std::string> blockSize, compress;
  bool hashPrefix = false;
  bool enableAcl = false, disableAcl = false;
};

std::string Mask(const std::string& s) { return s.empty() ? "\"\"" : "****"; }

void RunConfig(const ConfigArgs& a) {
  if (a.blockSize) throw CommandError("the block size cannot be changed after format (objects are cut by it)");
  if (a.compress) throw CommandError("compression cannot be changed after format (existing objects are framed by it)");
  if (a.hashPrefix) throw CommandError("the hash prefix cannot be changed after format (object keys depend on it)");
  auto vol = Check(OpenMaintenance(a.metaUrl, /*storage=*/false));
  const VolumeFormat old = vol.fmt;
  VolumeFormat fmt = old;
  if (a.trashDays) fmt.trashDays = *a.trashDays;
  if (a.capacity) fmt.capacity = Check(ParseSize(*a.capacity, kGiB, "capacity"));
  if (a.inodes) fmt.inodes = *a.inodes;
  if (a.enableAcl && a.disableAcl) throw CommandError("--enable-acl and --disable-acl contradict each other");
  if (a.enableAcl) fmt.enableAcl = true;
  if (a.disableAcl && old.enableAcl) {
    // Inodes may hold ACLs: turning them off would silently stop enforcing
    // them, so only a volume that never stored one may go back.
    bool any = false;
    Check(vol.kv->readOnly([&](KvTxn& tx) -> Status {
      std::string p = keys::AclRuleAll();
      ASSIGN_OR_RETURN(auto kvs, tx.scan(p, PrefixEnd(p), 1));
      any = !kvs.empty();
      return Status::OK();
    }), "reading ACL rules");
    if (any) throw CommandError("ACLs cannot be disabled: files of this volume have ACLs (remove them with setfacl -b first)");
    fmt.enableAcl = false;
  }
  if (a.storage) fmt.storage = *a.storage;
  if (a.bucket) fmt.bucket = *a.bucket;
  if (a.accessKey) fmt.accessKey = *a.accessKey;
  if (a.secretKey) fmt.secretKey = *a.secretKey;
  if (a.sessionToken) fmt.sessionToken = *a.sessionToken;
  std::vector<std::string> changes;
  auto note = [&](const char* name, const std::string& from, const std::string& to) {
    if (from != to) changes.push_back(std::string(name) + ": " + from + " -> " + to);
  };
  note("trash-days", std::to_string(old.trashDays), std::to_string(fmt.trashDays));
  note("capacity", old.capacity ? FormatSize(old.capacity) : "unlimited", fmt.capacity ? FormatSize(fmt.capacity) : "unlimited");
  note("inodes", old.inodes ? std::to_string(old.inodes) : "unlimited", fmt.inodes ? std::to_string(fmt.inodes) : "unlimited");
  note("enable-acl", old.enableAcl ? "true" : "false", fmt.enableAcl ? "true" : "false");
  note("storage", old.storage, fmt.storage);
  note("bucket", old.bucket, fmt.bucket);
  if (old.accessKey != fmt.accessKey) changes.push_back("access-key: " + Mask(old.accessKey) + " -> " + Mask(fmt.accessKey));
  if (old.secretKey != fmt.secretKey) changes.push_back("secret-key: " + Mask(old.secretKey) + " -> " + Mask(fmt.secretKey));
  if (old.sessionToken != fmt.sessionToken) {
    changes.push_back("session-token: " + Mask(old.sessionToken) + " -> " + Mask(fmt.sessionToken));
  }
  if (changes.empty()) {
    std::printf("%s\n", fmt.ToJson(/*redactSecrets=*/true).c_str());
    return;
  }
  Check(fmt.Validate(), "new settings");
  const bool storageChanged = fmt.storage != old.storage || fmt.bucket != old.bucket ||
                              fmt.accessKey != old.accessKey || fmt.secretKey != old.secretKey ||
                              fmt.sessionToken != old.sessionToken;
  if (storageChanged) {
    auto store = Volume::OpenStorage(fmt, /*plain=*/true);
    if (!store) throw CommandError("new storage unreachable: " + store.error().message() + " (nothing changed)");
    Status st = CheckVolumeUuid(**store, fmt);
    if (!st.ok()) throw CommandError("refusing the new storage: " + st.message() + " (nothing changed)");
  }
  const std::string json = fmt.ToJson(/*redactSecrets=*/false);
  Check(vol.kv->txn([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto cur, tx.get(keys::Setting()));
    if (!cur) return Status::NotFound("volume not formatted");
    ASSIGN_OR_RETURN(VolumeFormat now, VolumeFormat::FromJson(*cur));
    if (now.uuid != old.uuid || now.ToJson(false) != old.ToJson(false)) {
      return Status::Error(EAGAIN, "the settings changed meanwhile; rerun");
    }
    tx.put(keys::Setting(), json);
    return Status::OK();
  }), "writing the settings");
  for (const auto& c : changes) std::printf("%s\n", c.c_str());
  std::printf("running mounts keep their settings until they are remounted\n");
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<ConfigArgs>();
  auto* cmd = app.add_subcommand("config", "Show or change a volume's settings");
  cmd->add_option("META-URL", a->metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->add_option("--trash-days", a->trashDays, "days deleted files stay in .trash (0 disables)");
  cmd->add_option("--capacity", a->capacity, "space limit, e.g. 100G; a plain number is GiB (0 = unlimited)");
  cmd->add_option("--inodes", a->inodes, "inode limit (0 = unlimited)");
  cmd->add_option("--storage", a->storage, "object storage: file, s3 or mem (checked to hold this volume)");
  cmd->add_option("--bucket", a->bucket, "bucket directory or URL (checked to hold this volume's UUID)");
  cmd->add_option("--access-key", a->accessKey, "access key");
  cmd->add_option("--secret-key", a->secretKey, "secret key");
  cmd->add_option("--session-token", a->sessionToken, "session token");
  cmd->add_flag("--enable-acl", a->enableAcl, "store and enforce POSIX ACLs from now on (remount to apply)");
  cmd->add_flag("--disable-acl", a->disableAcl, "stop storing ACLs; refused while any file has one");
  cmd->add_option("--block-size", a->blockSize, "refused: fixed at format");
  cmd->add_option("--compress", a->compress, "refused: fixed at format");
  cmd->add_flag("--hash-prefix", a->hashPrefix, "refused: fixed at format");
  cmd->callback([a] { RunConfig(*a); });
}

}  // namespace

REGISTER_COMMAND("config", Setup);

}  // namespace slicefs::cli
