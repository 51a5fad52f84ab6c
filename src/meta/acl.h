// POSIX ACLs as Linux has them (acl(5)): the kernel's binary xattr format
// of system.posix_acl_access / system.posix_acl_default, validation, the
// stored rule encoding (docs/formats.md, "ACL rules"), the mode <-> ACL
// relations (mask == group bits), inheritance from a default ACL at create,
// and the permission check. Pure functions; thread-safe.
//
// An access ACL is stored without the parts the mode already holds: the
// owner, mask and other entries are always taken from the inode's mode, so
// chmod never changes a stored rule and many inodes with different modes
// share one. A default ACL is stored whole (it is independent of the mode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/types.h"

namespace slicefs::acl {

inline constexpr char kAccessXattr[] = "system.posix_acl_access";
inline constexpr char kDefaultXattr[] = "system.posix_acl_default";
inline bool IsAclXattr(std::string_view name) { return name == kAccessXattr || name == kDefaultXattr; }

// Entry tags (values of the kernel's xattr format).
inline constexpr uint16_t kUserObj = 0x01;
inline constexpr uint16_t kUser = 0x02;
inline constexpr uint16_t kGroupObj = 0x04;
inline constexpr uint16_t kGroup = 0x08;
inline constexpr uint16_t kMask = 0x10;
inline constexpr uint16_t kOther = 0x20;
inline constexpr uint8_t kNoMask = 0xFF;

struct Named {
  uint16_t tag = kUser;  // kUser or kGroup
  uint32_t id = 0;
  uint8_t perm = 0;      // rwx bits
  bool operator==(const Named&) const = default;
};

// A whole ACL. `named` is sorted as the kernel sorts it: users by id, then
// groups by id.
struct Acl {
  uint8_t userObj = 0, groupObj = 0, other = 0;
  uint8_t mask = kNoMask;  // kNoMask: no mask entry
  std::vector<Named> named;
  bool operator==(const Acl&) const = default;
  // Only owner, group and other entries: the ACL says what the mode says.
  bool Minimal() const { return mask == kNoMask && named.empty(); }
  // The 9 permission bits the ACL stands for (group bits = mask if any).
  uint32_t ModeBits() const;
};

// The kernel's xattr value <-> Acl. EINVAL for a malformed value or an ACL
// posix_acl_valid() refuses (missing/duplicate entries, named entries
// without a mask, unsorted or repeated ids, bad bits).
Result<Acl> ParseXattr(std::string_view v);
std::string ToXattr(const Acl& a);

// Stored rules (the RA{id} value). DecodeRule: EIO when corrupt.
std::string EncodeRule(const Acl& a);
Result<Acl> DecodeRule(std::string_view v);
// Stable 64-bit hash of an encoded rule (FNV-1a), for the RH index.
uint64_t RuleHash(std::string_view encoded);

// The stored form of an extended access ACL (owner/mask/other zeroed), and
// the whole access ACL of an inode from its stored rule and mode.
Acl StoredAccess(const Acl& full);
Acl AccessWithMode(const Acl& stored, uint32_t mode);

// A new inode under a directory with default ACL `def` (posix_acl_create):
// `mode` holds the requested permission bits (no umask applied). Returns
// the new permission bits (set-id/sticky bits of mode kept) and the access
// ACL in stored form, or nullopt when it is equivalent to the mode.
struct Inherited {
  uint32_t mode = 0;
  std::optional<Acl> access;
};
Inherited FromDefault(const Acl& def, uint32_t mode);

// posix_acl_permission for a non-root caller who is not the owner: the
// whole access ACL `full` of an inode with group `gid`; want = R/W/X bits.
bool Permits(const Acl& full, uint32_t gid, const Ctx& ctx, uint32_t want);

}  // namespace slicefs::acl
