// The volume format, stored as JSON under the `setting` key. Written by
// `slicefs format`, read by every client at mount.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slicefs {

// The format's JSON fields that hold credentials: shown as "removed" by
// status, config, .config, debug and dump (without --keep-secret-key).
// A new secret field (e.g. an encryption key's passphrase or wrapped key)
// is added here, and every one of those places hides it.
inline constexpr std::array<std::string_view, 2> kFormatSecretFields = {"secretKey", "sessionToken"};

struct VolumeFormat {
  std::string name;                 // volume name: [a-z0-9-], 3..63 chars
  std::string uuid;                 // random, fixed at format
  std::string storage = "file";     // file | s3 | mem
  std::string bucket;               // directory for file, endpoint URL for s3
  std::string accessKey;
  std::string secretKey;            // stored as given; shown redacted
  std::string sessionToken;
  uint32_t blockSizeKiB = 4096;     // 64 .. 16384
  std::string compression = "none"; // none | lz4 | zstd
  bool hashPrefix = false;          // hash-prefixed object keys
  uint32_t trashDays = 1;           // 0 disables the trash
  uint64_t capacity = 0;            // bytes, 0 = unlimited
  uint64_t inodes = 0;              // 0 = unlimited
  uint32_t version = 1;             // format version of the metadata
  // ---- encryption at rest (docs/formats.md, "Encryption") ----
  // The RSA private key as a passphrase-protected PEM (empty: not encrypted);
  // the passphrase is never stored (SLICEFS_RSA_PASSPHRASE). Shown redacted.
  std::string encryptKey;
  std::string encryptAlgo;          // aes256gcm-rsa | chacha20-rsa (with encryptKey)
  // POSIX ACLs (format/config --enable-acl): extended ACLs are stored and
  // enforced; without it a minimal ACL becomes a mode change and an
  // extended one is refused (EOPNOTSUPP). JSON "enableACL".
  bool enableAcl = false;

  std::string ToJson(bool redactSecrets = false) const;
  static Result<VolumeFormat> FromJson(std::string_view json);
  // Checks name, block size and compression; EINVAL with a message on error.
  Status Validate() const;
};

// A random version-4 UUID string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx").
std::string GenerateUuid();

}  // namespace slicefs
