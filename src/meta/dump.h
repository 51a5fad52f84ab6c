// Metadata dump and load (docs/formats.md, "Metadata dump"): the whole
// volume (or a subtree) as one streamed JSON document, and back into an
// empty engine. Both directions stream: memory does not grow with the
// number of files or the size of a directory.
//
// DumpVolume reads the engine in one KvStore::readStream pass (a consistent
// snapshot on mem, sqlite3, postgres and etcd; on redis each page is read at
// its own time, so a volume changing meanwhile may give a dump that load
// refuses) and writes the document to `out`. It does not Finish() `out`.
//
// LoadVolume parses a slicefs dump or a JuiceFS 1.x `juicefs dump` document
// (told apart by their first key) and writes it into `kv`, which must be
// empty (else EEXIST, nothing touched). Keys are written in batched
// transactions; the `setting` key is written last, after the loaded keys
// have been verified and counters, link counts, parents, slice references
// and usage recomputed, so a half-loaded engine is never a volume. Any
// failure (EINVAL with the record number and byte offset of a bad
// document, or an engine error) deletes everything written (dropAll), so
// the engine is left empty.
//
// Threading: one call per engine at a time; progress callbacks run on the
// caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"
#include "kv/kv.h"

namespace slicefs {

struct DumpProgress {
  uint64_t inodes = 0;   // inode records so far
  uint64_t records = 0;  // all records so far
  uint64_t bytes = 0;    // document bytes written (dump) or read (load)
};
using DumpProgressFn = std::function<void(const DumpProgress&)>;

struct DumpOptions {
  bool keepSecrets = false;   // else secretKey/sessionToken become "removed"
  std::string subdir;         // "" or "/": the whole volume
  DumpProgressFn progress;    // called every few thousand records
};

struct DumpStats {
  DumpProgress totals;
  bool snapshot = false;  // the engine read one consistent snapshot
};

Result<DumpStats> DumpVolume(KvStore& kv, ByteSink& out, const DumpOptions& opts);

struct LoadOptions {
  DumpProgressFn progress;
  // A `setting` key in the source with secrets removed keeps "removed" unless
  // these are given (e.g. from the command line).
  std::string accessKey, secretKey;
};

struct LoadStats {
  DumpProgress totals;
  std::string source;  // "slicefs" or "juicefs"
  uint64_t files = 0, dirs = 0, usedSpace = 0;
  // What could not be carried over (JuiceFS ACLs, quotas, ...), one line each.
  std::vector<std::string> warnings;
};

Result<LoadStats> LoadVolume(KvStore& kv, ByteSource& in, const LoadOptions& opts);

}  // namespace slicefs
