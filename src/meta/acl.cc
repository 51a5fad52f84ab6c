#include "meta/acl.h"

#include <algorithm>

#include "common/encoding.h"

namespace slicefs::acl {

namespace {

constexpr uint32_t kXattrVersion = 2;  // POSIX_ACL_XATTR_VERSION
constexpr uint8_t kRuleVersion = 1;
constexpr uint32_t kUndefinedId = 0xFFFFFFFF;

void PutLE16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}
void PutLE32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; i++) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint16_t GetLE16(std::string_view s, size_t off) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[off]) | (static_cast<uint8_t>(s[off + 1]) << 8));
}
uint32_t GetLE32(std::string_view s, size_t off) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}

Status Bad(const char* why) { return Status::Invalid(std::string("invalid POSIX ACL: ") + why); }

}  // namespace

uint32_t Acl::ModeBits() const {
  uint32_t g = mask == kNoMask ? groupObj : mask;
  return (static_cast<uint32_t>(userObj & 7) << 6) | ((g & 7u) << 3) | (other & 7u);
}

Result<Acl> ParseXattr(std::string_view v) {
  if (v.size() < 4 || (v.size() - 4) % 8 != 0) return Err(Bad("size is not 4 + 8*n bytes"));
  if (GetLE32(v, 0) != kXattrVersion) return Err(Bad("unknown version"));
  // posix_acl_valid's state machine: owner, named users, owning group,
  // named groups, mask, other; a mask is required with named entries.
  enum { kWantUserObj, kInUsers, kInGroups, kWantOther, kDone } state = kWantUserObj;
  bool needsMask = false;
  Acl a;
  for (size_t off = 4; off < v.size(); off += 8) {
    const uint16_t tag = GetLE16(v, off);
    const uint16_t perm = GetLE16(v, off + 2);
    const uint32_t id = GetLE32(v, off + 4);
    if (perm & ~7u) return Err(Bad("permission bits other than rwx"));
    const uint8_t p = static_cast<uint8_t>(perm);
    switch (tag) {
      case kUserObj:
        if (state != kWantUserObj) return Err(Bad("owner entry out of place"));
        a.userObj = p;
        state = kInUsers;
        break;
      case kUser:
      case kGroup:
        if (state != (tag == kUser ? kInUsers : kInGroups)) return Err(Bad("named entry out of place"));
        if (id == kUndefinedId) return Err(Bad("named entry without an id"));
        needsMask = true;
        a.named.push_back({tag, id, p});
        break;
      case kGroupObj:
        if (state != kInUsers) return Err(Bad("owning group entry out of place"));
        a.groupObj = p;
        state = kInGroups;
        break;
      case kMask:
        if (state != kInGroups) return Err(Bad("mask entry out of place"));
        a.mask = p;
        state = kWantOther;
        break;
      case kOther:
        if (state != kWantOther && !(state == kInGroups && !needsMask))
          return Err(Bad(state == kInGroups ? "named entries need a mask entry" : "other entry out of place"));
        a.other = p;
        state = kDone;
        break;
      default:
        return Err(Bad("unknown entry tag"));
    }
    if (state == kDone && off + 8 < v.size()) return Err(Bad("entries after the other entry"));
  }
  if (state != kDone) return Err(Bad("owner, group or other entry missing"));
  std::stable_sort(a.named.begin(), a.named.end(), [](const Named& x, const Named& y) {
    return x.tag != y.tag ? x.tag < y.tag : x.id < y.id;
  });
  for (size_t i = 1; i < a.named.size(); i++) {
    if (a.named[i].tag == a.named[i - 1].tag && a.named[i].id == a.named[i - 1].id)
      return Err(Bad("an id appears twice"));
  }
  return a;
}

std::string ToXattr(const Acl& a) {
  std::string s;
  PutLE32(s, kXattrVersion);
  auto entry = [&](uint16_t tag, uint8_t perm, uint32_t id) {
    PutLE16(s, tag);
    PutLE16(s, perm);
    PutLE32(s, id);
  };
  entry(kUserObj, a.userObj, kUndefinedId);
  for (const auto& n : a.named)
    if (n.tag == kUser) entry(kUser, n.perm, n.id);
  entry(kGroupObj, a.groupObj, kUndefinedId);
  for (const auto& n : a.named)
    if (n.tag == kGroup) entry(kGroup, n.perm, n.id);
  if (a.mask != kNoMask) entry(kMask, a.mask, kUndefinedId);
  entry(kOther, a.other, kUndefinedId);
  return s;
}

// version u8 | userObj u8 | groupObj u8 | other u8 | mask u8 (0xFF: none) |
// count BE16 | count x (tag u8: 2 user, 8 group | perm u8 | id BE32)
std::string EncodeRule(const Acl& a) {
  std::string s;
  PutU8(s, kRuleVersion);
  PutU8(s, a.userObj);
  PutU8(s, a.groupObj);
  PutU8(s, a.other);
  PutU8(s, a.mask);
  PutBE16(s, static_cast<uint16_t>(a.named.size()));
  for (const auto& n : a.named) {
    PutU8(s, static_cast<uint8_t>(n.tag));
    PutU8(s, n.perm);
    PutBE32(s, n.id);
  }
  return s;
}

Result<Acl> DecodeRule(std::string_view v) {
  if (v.size() < 7 || static_cast<uint8_t>(v[0]) != kRuleVersion) return Err(EIO, "corrupt ACL rule");
  Acl a;
  a.userObj = static_cast<uint8_t>(v[1]);
  a.groupObj = static_cast<uint8_t>(v[2]);
  a.other = static_cast<uint8_t>(v[3]);
  a.mask = static_cast<uint8_t>(v[4]);
  const size_t n = GetBE16(v, 5);
  if (v.size() != 7 + 6 * n) return Err(EIO, "corrupt ACL rule: bad length");
  for (size_t i = 0; i < n; i++) {
    const size_t off = 7 + 6 * i;
    uint16_t tag = static_cast<uint8_t>(v[off]);
    if (tag != kUser && tag != kGroup) return Err(EIO, "corrupt ACL rule: bad tag");
    a.named.push_back({tag, GetBE32(v, off + 2), static_cast<uint8_t>(v[off + 1])});
  }
  return a;
}

uint64_t RuleHash(std::string_view encoded) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : encoded) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

Acl StoredAccess(const Acl& full) {
  Acl s = full;
  s.userObj = s.other = 0;
  s.mask = 0;
  return s;
}

Acl AccessWithMode(const Acl& stored, uint32_t mode) {
  Acl a = stored;
  a.userObj = static_cast<uint8_t>((mode >> 6) & 7);
  a.mask = static_cast<uint8_t>((mode >> 3) & 7);
  a.other = static_cast<uint8_t>(mode & 7);
  return a;
}

Inherited FromDefault(const Acl& def, uint32_t mode) {
  // posix_acl_create_masq: every class entry is cut by the requested bits,
  // and the mode by the ACL.
  Acl a = def;
  uint32_t m = mode & 0777;
  a.userObj &= static_cast<uint8_t>((m >> 6) & 7);
  a.other &= static_cast<uint8_t>(m & 7);
  if (a.mask != kNoMask) {
    a.mask &= static_cast<uint8_t>((m >> 3) & 7);
  } else {
    a.groupObj &= static_cast<uint8_t>((m >> 3) & 7);
  }
  Inherited out;
  out.mode = (mode & 07000) | a.ModeBits();
  if (!a.Minimal()) out.access = StoredAccess(a);
  return out;
}

bool Permits(const Acl& full, uint32_t gid, const Ctx& ctx, uint32_t want) {
  const uint8_t mask = full.mask == kNoMask ? 7 : full.mask;
  for (const auto& n : full.named) {
    if (n.tag == kUser && n.id == ctx.uid) return (n.perm & mask & want) == want;
  }
  bool found = false;
  if (ctx.inGroup(gid)) {
    found = true;
    if ((full.groupObj & mask & want) == want) return true;
  }
  for (const auto& n : full.named) {
    if (n.tag == kGroup && ctx.inGroup(n.id)) {
      found = true;
      if ((n.perm & mask & want) == want) return true;
    }
  }
  if (found) return false;
  return (full.other & want) == want;
}

}  // namespace slicefs::acl
