#include "object/storage_setup.h"

#include "object/open_store.h"
#include "object/s3_store.h"

namespace slicefs {

std::string UuidObjectKey(const std::string& volume) { return volume + "/slicefs_uuid"; }

Status PrepareStorage(ObjectStore& store, const VolumeFormat& fmt) {
  if (fmt.name.empty()) return Status::Invalid("volume name is empty");
  Status st = store.create();
  if (!st.ok()) return st.WithContext("create bucket " + store.describe());
  const std::string key = UuidObjectKey(fmt.name);
  auto old = store.get(key);
  if (old.has_value()) {
    std::string have = *old;
    while (!have.empty() && (have.back() == '\n' || have.back() == ' ')) have.pop_back();
    if (have == fmt.uuid) return Status::OK();
    return Status::Error(EEXIST, "storage " + store.describe() + " already holds volume '" +
                                     fmt.name + "' with uuid " + have);
  }
  if (!old.error().is(ENOENT)) return old.error().WithContext("read " + key);
  st = store.put(key, fmt.uuid);
  if (!st.ok()) return st.WithContext("write " + key);
  return Status::OK();
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
