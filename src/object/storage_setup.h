// Storage side of `slicefs format`: creates the bucket (directory) and
// writes `{volume}/slicefs_uuid` holding the volume UUID. Refuses with
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

}  // namespace slicefs
