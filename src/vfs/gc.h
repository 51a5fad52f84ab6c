// gc: finds the objects of a volume's bucket that no slice refers to
// (leaked), the pending deletions (D records, slices whose count reached 0)
// and the expired trash; with `del` removes the leaked objects and finishes
// the pending deletions. Safety (docs/architecture.md, "gc"):
//   - the whole listing completes before anything is deleted: a listing or
//     engine error aborts the run with nothing deleted;
//   - objects of slice ids >= the nextChunk counter read before the listing
//     (uploads of slices not yet committed) are never touched;
//   - objects younger than `safetyWindowSec` (by the store's mtime), or
//     whose mtime the store does not report, are never touched;
//   - right before deleting a leaked object its slice id is looked up in
//     the engine again; any K{id} key keeps it.
// Memory: 16 bytes per slice (the K keys) plus one listing page; leaked
// candidates are spilled to a temporary file.
//
// Threading: deletion fans out to opts.threads threads. Errors: as above;
// a deletion error stops the run and is returned (what was deleted so far
// is in the report).
#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"
#include "common/volume_format.h"
#include "kv/kv.h"
#include "meta/meta.h"
#include "object/object_store.h"

namespace slicefs {

struct GcOptions {
  bool del = false;
  int threads = 8;
  int64_t safetyWindowSec = 3600;
  std::function<void(uint64_t objects, uint64_t bytes)> progress;  // running listing totals
};

struct GcReport {
  uint64_t listed = 0, listedBytes = 0;
  uint64_t live = 0, liveBytes = 0;
  uint64_t leaked = 0, leakedBytes = 0;            // candidates found by the listing
  uint64_t young = 0, uncommitted = 0, foreign = 0;  // left alone
  uint64_t pendingFiles = 0, pendingFileBytes = 0;  // D records
  uint64_t zeroRefSlices = 0, zeroRefBytes = 0;    // K keys at 0
  uint64_t expiredTrash = 0, expiredTrashBytes = 0;
  uint64_t deleted = 0, deletedBytes = 0;          // leaked objects removed
  uint64_t keptOnRecheck = 0;                      // candidates whose slice appeared meanwhile
  uint64_t finishedFiles = 0, freedSlices = 0;     // pending deletions finished
  int64_t nextChunk = 0;                           // the id guard used
};

// `store` is the raw (uncompressed-view) object store of the volume; `meta`
// a Meta client of it (for trash figures and, with del, finishing pending
// deletions); gc sets its slice deleter for the duration of the run.
Result<GcReport> RunGc(KvStore& kv, const VolumeFormat& fmt, ObjectStore& store, Meta& meta, const GcOptions& opts);

}  // namespace slicefs
