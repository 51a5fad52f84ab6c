// The mount's internal files at the volume root, answered by the FUSE
// adapter itself and never stored in the metadata:
//   .stats      the metrics registry as text (MetricsRegistry::Text), a
//               fresh snapshot taken at each open
//   .accesslog  while open, one line per FUSE operation (AccessLog)
//   .config     the mount's effective options as JSON, secrets removed
// They are not listed by readdir but can be looked up, stat'ed and opened
// read-only. Their names are reserved at the root: creating one fails with
// EEXIST, removing or renaming one with EPERM.
//
// Inode numbers: kInternalInoBase + 1.. (0x7FFFFFFF00000001..), far above
// the counter that allocates real inodes (which counts up from 2) and below
// kTrashIno (0x7FFFFFFF10000000), so they cannot clash with either.
//
// Threading: thread-safe; open handles are kept in a small locked map (only
// opens of these files touch it).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "fuse/access_log.h"
#include "fuse/fuse_internal.h"

namespace slicefs::fusead {

inline constexpr Ino kInternalInoBase = 0x7FFFFFFF00000000ULL;
inline constexpr Ino kStatsIno = kInternalInoBase + 1;
inline constexpr Ino kAccessLogIno = kInternalInoBase + 2;
inline constexpr Ino kConfigIno = kInternalInoBase + 3;

inline bool IsInternalIno(uint64_t ino) { return ino > kInternalInoBase && ino <= kConfigIno; }
// The internal inode named `name` in `parent` (only the root has them), or 0.
Ino InternalIno(uint64_t parent, const char* name);

class InternalFiles {
 public:
  // configJson: .config's content. stats(): .stats' content at each open.
  InternalFiles(std::string configJson, std::function<std::string()> stats, AccessLog* log, uint32_t ownerUid,
                uint32_t ownerGid);

  // Each replies to req.
  void Lookup(fuse_req_t req, Ino ino);
  void GetAttr(fuse_req_t req, Ino ino);
  void Open(fuse_req_t req, Ino ino, fuse_file_info* fi);
  void Read(fuse_req_t req, Ino ino, size_t size, off_t off, fuse_file_info* fi);
  void Release(fuse_req_t req, Ino ino, fuse_file_info* fi);
  void Access(fuse_req_t req, Ino ino, int mask);

 private:
  struct Handle {
    Ino ino = 0;
    std::string content;   // .stats/.config snapshot
    uint64_t reader = 0;   // .accesslog reader id
  };
  struct stat Stat(Ino ino) const;

  std::string config_;
  std::function<std::string()> stats_;
  AccessLog* log_;
  uint32_t uid_, gid_;
  int64_t mountTime_;
  std::mutex mu_;
  std::unordered_map<uint64_t, Handle> handles_;
  uint64_t nextFh_ = 1;
};

}  // namespace slicefs::fusead
