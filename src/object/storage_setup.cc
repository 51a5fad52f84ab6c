#include "object/storage_setup.h"

#include "object/open_store.h"
#include "object/s3_store.h"

namespace slicefs {

std::string UuidObjectKey(const std::string& volume) { return volume + "/slicefs_uuid"; }

// ---- encryption at rest: the key check object ----
std::string KeyCheckObjectKey(const std::string& volume) { return volume + "/slicefs_keycheck"; }

namespace {
Status WriteKeyCheck(ObjectStore& store, const VolumeFormat& fmt) {
  if (fmt.encryptKey.empty()) return Status::OK();
  Status st = store.put(KeyCheckObjectKey(fmt.name), fmt.uuid);
  return st.ok() ? st : st.WithContext("write " + KeyCheckObjectKey(fmt.name));
}
}  // namespace

Status CheckVolumeKey(ObjectStore& store, const VolumeFormat& fmt) {
  if (fmt.encryptKey.empty()) return Status::OK();
  const std::string key = KeyCheckObjectKey(fmt.name);
  auto got = store.get(key);
  if (!got && got.error().is(ENOENT))
    return Status::Error(EACCES, "storage " + store.describe() + " has no " + key +
                                     ": the bucket was not formatted for this encrypted volume");
  if (!got && got.error().is(EIO))
    return Status::Error(EACCES, "the volume's RSA key does not decrypt " + key +
                                     ": it is not the key this bucket was encrypted with");
  if (!got) return Status::Error(got.error().code(), "storage unreachable (" + store.describe() + "): " +
                                                         got.error().message());
  if (*got != fmt.uuid)
    return Status::Error(EACCES, key + " holds another volume's UUID: the bucket was encrypted for another volume");
  return Status::OK();
}

Status PrepareStorage(ObjectStore& store, const VolumeFormat& fmt) {
  if (fmt.name.empty()) return Status::Invalid("volume name is empty");
  Status st = store.create();
  if (!st.ok()) return st.WithContext("create bucket " + store.describe());
  const std::string key = UuidObjectKey(fmt.name);
  auto old = store.get(key);
  if (old.has_value()) {
    std::string have = *old;
    while (!have.empty() && (have.back() == '\n' || have.back() == ' ')) have.pop_back();
    if (have == fmt.uuid) return WriteKeyCheck(store, fmt);
    return Status::Error(EEXIST, "storage " + store.describe() + " already holds volume '" +
                                     fmt.name + "' with uuid " + have);
  }
  if (!old.error().is(ENOENT)) return old.error().WithContext("read " + key);
  st = store.put(key, fmt.uuid);
  if (!st.ok()) return st.WithContext("write " + key);
  return WriteKeyCheck(store, fmt);
}

Status PrepareStorage(const VolumeFormat& fmt) {
  if (fmt.storage == "s3") {
    // Endpoint, credentials, bucket (created if missing), probe object: one
    // clear line and a quick failure when any of them is wrong.
    RETURN_IF_ERROR(PrepareS3Storage(fmt));
  }
  VolumeFormat plain = fmt;  // slicefs_uuid is stored uncompressed
  plain.compression = "none";
  ASSIGN_OR_RETURN(auto store, OpenObjectStore(plain));
  return PrepareStorage(*store, fmt);
}

}  // namespace slicefs
