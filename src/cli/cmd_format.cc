// slicefs format META-URL NAME: writes the volume format and the root into a
// metadata engine and prepares the object storage. Refuses an existing
// volume unless --force (which updates the settings of the same volume).
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "cli/command.h"
#include "cli/encrypt_key.h"
#include "common/paths.h"
#include "common/size.h"
#include "common/url.h"
#include "object/rsa_key.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct FormatArgs {
  std::string metaUrl;
  std::string name;
  std::string storage = "file";
  std::string bucket;
  std::string accessKey;
  std::string secretKey;
  std::string sessionToken;
  std::string blockSize = "4M";
  std::string compress = "none";
  bool hashPrefix = false;
  uint32_t trashDays = 1;
  std::string capacity = "0";
  uint64_t inodes = 0;
  bool force = false;
  std::string encryptRsaKey;  // PEM file
  std::string encryptAlgo = "aes256gcm-rsa";
};

std::string EnvOr(const std::string& value, const char* env) {
  if (!value.empty()) return value;
  const char* v = std::getenv(env);
  return v ? v : "";
}

// ---- encryption at rest: the PEM stored in the format ----
// The key is stored passphrase-protected: an encrypted PEM as given (after
// checking the passphrase opens it), a plain one encrypted with the
// passphrase. A plain PEM without a passphrase is refused: it would put the
// private key into the metadata in the clear.
void SetEncryption(const FormatArgs& args, VolumeFormat* fmt) {
  if (args.encryptRsaKey.empty()) return;
  std::string pem = ReadPemFile(args.encryptRsaKey);
  const char* env = std::getenv(kRsaPassphraseEnv);
  std::string pass = env ? env : "";
  if (pass.empty())
    throw CommandError(std::string("--encrypt-rsa-key needs the key's passphrase in ") + kRsaPassphraseEnv +
                       " (the key is stored protected by it)");
  auto key = Check(RsaKey::FromPem(pem, pass), args.encryptRsaKey);
  fmt->encryptKey = RsaKey::PemIsEncrypted(pem) ? pem : Check(key->ProtectedPem(pass), "protecting the RSA key");
  fmt->encryptAlgo = args.encryptAlgo;
}

void RunFormat(const FormatArgs& args) {
  VolumeFormat fmt;
  fmt.name = args.name;
  fmt.storage = args.storage;
  fmt.bucket = args.bucket;
  if (fmt.storage == "file") {
    if (fmt.bucket.empty()) fmt.bucket = DefaultFileBucket();
    std::error_code ec;
    auto abs = std::filesystem::absolute(fmt.bucket, ec);
    if (!ec) fmt.bucket = abs.lexically_normal().string();
  }
  fmt.accessKey = EnvOr(args.accessKey, "AWS_ACCESS_KEY_ID");
  fmt.secretKey = EnvOr(args.secretKey, "AWS_SECRET_ACCESS_KEY");
  fmt.sessionToken = EnvOr(args.sessionToken, "AWS_SESSION_TOKEN");
  uint64_t block = Check(ParseSize(args.blockSize, kKiB, "block size"));
  if (block % 1024 != 0) throw CommandError("block size must be a multiple of 1 KiB");
  fmt.blockSizeKiB = static_cast<uint32_t>(std::min<uint64_t>(block >> 10, UINT32_MAX));
  fmt.compression = args.compress;
  fmt.hashPrefix = args.hashPrefix;
  fmt.trashDays = args.trashDays;
  fmt.capacity = Check(ParseSize(args.capacity, kGiB, "capacity"));
  fmt.inodes = args.inodes;
  fmt.uuid = GenerateUuid();
  SetEncryption(args, &fmt);
  fmt = Check(Volume::Create(args.metaUrl, fmt, args.force));
  std::printf("volume %s formatted (uuid %s) in %s\n", fmt.name.c_str(), fmt.uuid.c_str(),
              RedactedUrl(args.metaUrl).c_str());
  std::printf("%s\n", fmt.ToJson(/*redactSecrets=*/true).c_str());
}

void Setup(CLI::App& app) {
  auto args = std::make_shared<FormatArgs>();
  auto* cmd = app.add_subcommand("format", "Format a volume: write its settings and root into META-URL");
  cmd->add_option("META-URL", args->metaUrl, "metadata engine, e.g. sqlite3://vol.db, redis://host:6379/1")->required();
  cmd->add_option("NAME", args->name, "volume name ([a-z0-9-], 3..63 characters)")->required();
  cmd->add_option("--storage", args->storage, "object storage: file, s3 or mem")
      ->check(CLI::IsMember({"file", "s3", "mem"}));
  cmd->add_option("--bucket", args->bucket,
                  "a directory for file storage (default ~/.slicefs/local), an endpoint URL for s3");
  cmd->add_option("--access-key", args->accessKey, "access key (default $AWS_ACCESS_KEY_ID)");
  cmd->add_option("--secret-key", args->secretKey, "secret key (default $AWS_SECRET_ACCESS_KEY)");
  cmd->add_option("--session-token", args->sessionToken, "session token (default $AWS_SESSION_TOKEN)");
  cmd->add_option("--block-size", args->blockSize, "block size, 64K..16M; a plain number is KiB")
      ->capture_default_str();
  cmd->add_option("--compress", args->compress, "block compression: none, lz4 or zstd")
      ->check(CLI::IsMember({"none", "lz4", "zstd"}))
      ->capture_default_str();
  cmd->add_flag("--hash-prefix", args->hashPrefix, "spread object keys over 256 hash prefixes");
  cmd->add_option("--trash-days", args->trashDays, "days deleted files stay in .trash (0 disables)")
      ->capture_default_str();
  cmd->add_option("--capacity", args->capacity, "space limit, e.g. 100G; a plain number is GiB (0 = unlimited)");
  cmd->add_option("--inodes", args->inodes, "inode limit (0 = unlimited)");
  cmd->add_option("--encrypt-rsa-key", args->encryptRsaKey,
                  "encrypt data and backups with this RSA private key (PEM file); passphrase from $" +
                      std::string(kRsaPassphraseEnv));
  cmd->add_option("--encrypt-algo", args->encryptAlgo, "encryption: aes256gcm-rsa or chacha20-rsa")
      ->check(CLI::IsMember({"aes256gcm-rsa", "chacha20-rsa"}))
      ->capture_default_str();
  cmd->add_flag("--force", args->force, "update the settings of an existing volume of the same name");
  cmd->callback([args] { RunFormat(*args); });
}

}  // namespace

REGISTER_COMMAND("format", Setup);

}  // namespace slicefs::cli
