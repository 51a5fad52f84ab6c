#include "common/volume_format.h"

#include <nlohmann/json.hpp>

#include <random>

namespace slicefs {

using nlohmann::json;

std::string VolumeFormat::ToJson(bool redactSecrets) const {
  json j = {
      {"name", name},
      {"uuid", uuid},
      {"storage", storage},
      {"bucket", bucket},
      {"accessKey", accessKey},
      {"secretKey", secretKey},
      {"sessionToken", sessionToken},
      {"blockSizeKiB", blockSizeKiB},
      {"compression", compression},
      {"hashPrefix", hashPrefix},
      {"trashDays", trashDays},
      {"capacity", capacity},
      {"inodes", inodes},
      {"version", version},
  };
  if (!encryptKey.empty()) {  // encryption at rest
    // Shown as removed, but not in kFormatSecretFields: a dump keeps it (it
    // is passphrase-protected), so a restored volume can still be read.
    j["encryptKey"] = redactSecrets ? std::string("removed") : encryptKey;
    j["encryptAlgo"] = encryptAlgo;
  }
  j["enableACL"] = enableAcl;
  if (redactSecrets) {
    for (std::string_view f : kFormatSecretFields) {
      auto it = j.find(f);
      if (it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) *it = "removed";
    }
  }
  return j.dump(2);
}

Result<VolumeFormat> VolumeFormat::FromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err(EIO, "volume format is not a JSON object");
  VolumeFormat f;
  try {
    f.name = j.value("name", "");
    f.uuid = j.value("uuid", "");
    f.storage = j.value("storage", "file");
    f.bucket = j.value("bucket", "");
    f.accessKey = j.value("accessKey", "");
    f.secretKey = j.value("secretKey", "");
    f.sessionToken = j.value("sessionToken", "");
    f.blockSizeKiB = j.value("blockSizeKiB", 4096u);
    f.compression = j.value("compression", "none");
    f.hashPrefix = j.value("hashPrefix", false);
    f.trashDays = j.value("trashDays", 1u);
    f.capacity = j.value("capacity", uint64_t{0});
    f.inodes = j.value("inodes", uint64_t{0});
    f.version = j.value("version", 1u);
    f.encryptKey = j.value("encryptKey", "");
    f.encryptAlgo = j.value("encryptAlgo", "");
    f.enableAcl = j.value("enableACL", false);
  } catch (const json::exception& e) {
    return Err(EIO, std::string("volume format has a field of the wrong type: ") + e.what());
  }
  return f;
}

Status VolumeFormat::Validate() const {
  if (name.size() < 3 || name.size() > 63)
    return Status::Invalid("volume name '" + name + "' must be 3 to 63 characters long");
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return Status::Invalid("volume name '" + name + "' may only contain a-z, 0-9 and '-'");
  }
  if (name.front() == '-' || name.back() == '-')
    return Status::Invalid("volume name '" + name + "' must not start or end with '-'");
  if (blockSizeKiB < 64 || blockSizeKiB > 16384)
    return Status::Invalid("block size " + std::to_string(blockSizeKiB) + " KiB is outside 64 KiB..16 MiB");
  if (compression != "none" && compression != "lz4" && compression != "zstd")
    return Status::Invalid("unknown compression '" + compression + "' (none, lz4, zstd)");
  if (storage != "file" && storage != "s3" && storage != "mem")
    return Status::Invalid("unknown storage '" + storage + "' (file, s3, mem)");
  if (storage == "file" && bucket.empty()) return Status::Invalid("file storage needs a bucket directory");
  if (storage == "s3" && bucket.empty()) return Status::Invalid("s3 storage needs a bucket URL");
  if (version != 1) return Status::Invalid("unsupported format version " + std::to_string(version));
  if (!encryptKey.empty() && encryptAlgo != "aes256gcm-rsa" && encryptAlgo != "chacha20-rsa")
    return Status::Invalid("unknown encryption algorithm '" + encryptAlgo + "' (aes256gcm-rsa, chacha20-rsa)");
  if (trashDays > 36500) return Status::Invalid("trash days must be at most 36500");
  return Status::OK();
}

std::string GenerateUuid() {
  std::random_device rd;
  std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", uint32_t(hi >> 32), uint32_t((hi >> 16) & 0xffff),
                uint32_t(hi & 0xffff), uint32_t(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace slicefs
