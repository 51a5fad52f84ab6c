// destroy: deletes every object under the volume's prefix in its bucket
// ({volume}/: blocks, metadata backups, the UUID object last) and then every
// key of the engine namespace. Order makes it idempotent: an interrupted run
// leaves the format in the engine, so a rerun (which accepts a bucket whose
// UUID object is already gone) finishes the job.
//
// Threading: deletions fan out to `threads`. Errors: the first listing,
// deletion or engine error stops the run (rerun to finish).
#pragma once

#include <functional>

#include "vfs/maintenance.h"

namespace slicefs {

struct DestroyReport {
  uint64_t objects = 0, bytes = 0;
};

Result<DestroyReport> DestroyVolume(MaintenanceVolume& vol, int threads,
                                    const std::function<void(uint64_t objects, uint64_t bytes)>& progress = {});

}  // namespace slicefs
