// What the maintenance tools (fsck, gc, destroy, config) open: the engine,
// the volume format and (optionally) the object store, through Volume's
// static helpers, without a Meta client (no background workers, no slice
// deleter, no session), plus the live-session test they all share.
//
// Ownership: the struct owns its parts. Errors: one-line messages (engine,
// format, storage, UUID) as Volume::Open gives them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/volume_format.h"
#include "kv/kv.h"
#include "object/object_store.h"

namespace slicefs {

struct MaintenanceVolume {
  std::unique_ptr<KvStore> kv;
  VolumeFormat fmt;
  std::unique_ptr<ObjectStore> store;  // null unless opened with storage; plain (no compression)
};

// Opens `metaUrl`; with `storage`, also the volume's object store (without
// the compression layer: the tools work on raw objects) after checking it
// holds the volume's UUID (`requireUuid` false: a bucket without the UUID
// object is accepted, e.g. for a rerun of an interrupted destroy).
Result<MaintenanceVolume> OpenMaintenance(const std::string& metaUrl, bool storage, bool requireUuid = true);

// Sessions whose expiry (SE key) lies in the future at `nowSec`: (sid, expiry).
Result<std::vector<std::pair<uint64_t, int64_t>>> LiveSessions(KvStore& kv, int64_t nowSec);

}  // namespace slicefs
