// Plain types shared by the metadata layer and its callers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/data_model.h"

namespace slicefs {

inline constexpr Ino kRootIno = 1;
// The trash directory (.trash in the root) has a fixed inode number.
inline constexpr Ino kTrashIno = 0x7FFFFFFF10000000ULL;
// Hour directories of the trash (.trash/YYYY-MM-DD-HH) have fixed inodes
// kTrashIno + 1 + hours since the epoch (trash.cc), below this bound.
inline constexpr Ino kTrashHourEnd = kTrashIno + (1ULL << 27);
inline bool IsTrashDir(Ino ino) { return ino >= kTrashIno && ino < kTrashHourEnd; }
// "{parent}-{ino}-{name}" cut to 255 bytes: a trash entry's name.
std::string TrashEntryName(Ino parent, Ino ino, std::string_view name);
// "YYYY-MM-DD-HH" (UTC) of a time, and back to hours since the epoch
// (nullopt for a name that is not an hour).
std::string TrashHourName(int64_t ns);
std::optional<int64_t> ParseTrashHour(std::string_view name);

inline constexpr size_t kMaxNameLen = 255;
inline constexpr size_t kMaxSymlinkLen = 4096;
inline constexpr size_t kMaxXattrNameLen = 255;
inline constexpr size_t kMaxXattrValueLen = 65536;

enum class FileType : uint8_t {
  kFile = 1,
  kDir = 2,
  kSymlink = 3,
  kFifo = 4,
  kBlockDev = 5,
  kCharDev = 6,
  kSocket = 7,
};

// S_IFMT bits for a type, and back (0 / nullopt for unknown).
uint32_t ModeTypeBits(FileType t);
std::optional<FileType> TypeFromMode(uint32_t mode);

// Inode attributes. `mode` holds permission bits only (07777); the file type
// is `type`. Times are nanoseconds since the Unix epoch.
struct Attr {
  FileType type = FileType::kFile;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 1;
  uint64_t length = 0;   // bytes for files and symlinks; entry bytes for dirs
  uint32_t rdev = 0;     // device number for block/char devices
  int64_t atimeNs = 0;
  int64_t mtimeNs = 0;
  int64_t ctimeNs = 0;
  Ino parent = 0;        // parent dir; 0 when the inode has several (hard links)
  uint8_t flags = 0;     // kAttrImmutable | kAttrAppend (chattr +i / +a)
  // POSIX ACLs (meta/acl.h): ids of the stored access and default rules,
  // 0 = none (the RA{id} keys, docs/formats.md "ACL rules").
  uint32_t accessAcl = 0;
  uint32_t defaultAcl = 0;
  bool operator==(const Attr&) const = default;
};

// Attr::flags bits (chattr; src/meta/inode_flags.h has the rules).
inline constexpr uint8_t kAttrImmutable = 1;  // FS_IMMUTABLE_FL
inline constexpr uint8_t kAttrAppend = 2;     // FS_APPEND_FL
inline constexpr uint8_t kAttrFlagsKnown = kAttrImmutable | kAttrAppend;

struct Entry {
  Ino ino = 0;
  Attr attr;
};

struct DirEntry {
  std::string name;
  Ino ino = 0;
  FileType type = FileType::kFile;
  std::optional<Attr> attr;  // filled by readdir when plus=true
};

// The caller's credentials; every metadata call is checked against them.
struct Ctx {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> gids;  // supplementary groups
  uint32_t pid = 0;
  bool isRoot() const { return uid == 0; }
  bool inGroup(uint32_t g) const;
  static Ctx Root() { return Ctx{}; }
};


struct StatFsInfo {
  uint64_t totalSpace = 0;
  uint64_t availSpace = 0;
  uint64_t usedInodes = 0;
  uint64_t availInodes = 0;
};

}  // namespace slicefs
