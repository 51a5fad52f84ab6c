// VolumeCensus: one pass over a volume's metadata keys (docs/formats.md)
// that keeps, in compact sorted vectors, what fsck and gc need to check the
// invariants: every inode's attributes, every directory entry (as child ->
// parent links, names are not kept), parent records, slice references from
// chunk records, the K reference counts, open-file (SS) records, pending
// deletions (D) and the counters. Memory is about 40 bytes per inode, 24 per
// entry and 16 per slice record; no key or name is kept.
//
// Threading: a census is built by one thread and read-only afterwards.
// Errors: the engine's errors; EIO for undecodable values.
#pragma once

#include <cstdint>
#include <vector>

#include <map>
#include <set>

#include "common/status.h"
#include "kv/kv.h"
#include "meta/tree_stats.h"
#include "meta/types.h"

namespace slicefs {

struct CensusInode {
  Ino ino = 0;
  FileType type = FileType::kFile;
  uint32_t nlink = 0;
  uint64_t length = 0;
  Ino parent = 0;  // the attribute's parent field
};
struct CensusLink {
  Ino child = 0;
  Ino parent = 0;
  FileType type = FileType::kFile;
};
struct CensusParentRec {
  Ino ino = 0;
  Ino parent = 0;
  int64_t count = 0;
};
struct CensusSliceRef {  // one chunk record naming a slice
  uint64_t id = 0;
  uint32_t size = 0;
  Ino ino = 0;
};
struct CensusRefCount {  // one K{id}{size} key
  uint64_t id = 0;
  uint32_t size = 0;
  int64_t count = 0;
};

struct VolumeCensus {
  std::vector<CensusInode> inodes;        // sorted by ino
  std::vector<CensusLink> links;          // sorted by (child, parent)
  std::vector<CensusParentRec> parents;   // sorted by (ino, parent)
  std::vector<CensusSliceRef> refs;       // sorted by (id, size, ino)
  std::vector<CensusRefCount> counts;     // sorted by (id, size)
  std::vector<Ino> openInos;              // inodes with an SS record, sorted, unique
  std::vector<Ino> deletedInos;           // inodes with a D record, sorted, unique
  std::vector<std::pair<Ino, DirStat>> dirStats;  // U records, sorted by ino
  int64_t usedSpace = 0, totalInodes = 0, nextChunk = 0;
  // POSIX ACL rules: slots naming each rule id (from the attributes), an
  // example inode per id, the RC counts and the ids whose RA rule exists.
  std::map<uint32_t, std::pair<int64_t, Ino>> aclUses;
  std::map<uint32_t, int64_t> aclCounts;
  std::set<uint32_t> aclRules;
  bool snapshot = false;                  // read in one consistent snapshot

  const CensusInode* Find(Ino ino) const;
  bool IsOpen(Ino ino) const;
  bool IsDeleted(Ino ino) const;
};

// Reads the census of the volume in `kv`; `onKeys` (may be empty) is called
// with the number of keys read so far, for progress.
Result<VolumeCensus> TakeCensus(KvStore& kv, const std::function<void(uint64_t)>& onKeys = {});

}  // namespace slicefs
