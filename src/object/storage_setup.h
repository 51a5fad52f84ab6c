// Storage side of `slicefs format`: creates the bucket (directory) and
// writes `{volume}/slicefs_uuid` holding the volume UUID (and, encrypted,
// `{volume}/slicefs_keycheck`). Refuses with
// EEXIST when the bucket already holds a different volume of the same name
// (a different UUID), so two volumes never share chunk objects. Idempotent
// for the same UUID.
#pragma once

#include "common/volume_format.h"
#include "object/object_store.h"

namespace slicefs {

Status PrepareStorage(const VolumeFormat& fmt);
// Same, on an already opened store.
Status PrepareStorage(ObjectStore& store, const VolumeFormat& fmt);

// "{volume}/slicefs_uuid".
std::string UuidObjectKey(const std::string& volume);

// Encrypted volumes: "{volume}/slicefs_keycheck", the UUID encrypted with
// the volume's key, written by PrepareStorage; a client whose key does not
// decrypt it has another key than the one the bucket was encrypted with.
std::string KeyCheckObjectKey(const std::string& volume);
// Reads the key check object through `store` (an encrypted chain): EACCES
// with one line when the key is not the bucket's.
Status CheckVolumeKey(ObjectStore& store, const VolumeFormat& fmt);

}  // namespace slicefs
