#include "meta/keys.h"

#include "common/encoding.h"

namespace slicefs::keys {

namespace {
std::string WithIno(char tag, Ino ino) {
  std::string k(1, tag);
  PutLE64(k, ino);
  return k;
}
std::string InoTag(Ino ino, char tag) {
  std::string k = WithIno('A', ino);
  k.push_back(tag);
  return k;
}
}  // namespace

std::string Setting() { return kSettingKey; }
std::string Counter(std::string_view name) { return "C" + std::string(name); }
std::string Attr(Ino ino) { return InoTag(ino, 'I'); }
std::string Entry(Ino parent, std::string_view name) {
  std::string k = InoTag(parent, 'D');
  k.append(name);
  return k;
}
std::string EntryPrefix(Ino parent) { return InoTag(parent, 'D'); }
std::string Parent(Ino ino, Ino parent) {
  std::string k = InoTag(ino, 'P');
  PutLE64(k, parent);
  return k;
}
std::string ParentPrefix(Ino ino) { return InoTag(ino, 'P'); }
std::string Chunk(Ino ino, uint32_t index) {
  std::string k = InoTag(ino, 'C');
  PutBE32(k, index);
  return k;
}
std::string ChunkPrefix(Ino ino) { return InoTag(ino, 'C'); }
std::string Symlink(Ino ino) { return InoTag(ino, 'S'); }
std::string Xattr(Ino ino, std::string_view name) {
  std::string k = InoTag(ino, 'X');
  k.append(name);
  return k;
}
std::string XattrPrefix(Ino ino) { return InoTag(ino, 'X'); }
std::string Deleted(Ino ino, uint64_t length) {
  std::string k = WithIno('D', ino);
  PutBE64(k, length);
  return k;
}
std::string Flock(Ino ino) { return WithIno('F', ino); }
std::string Plock(Ino ino) { return WithIno('P', ino); }
std::string SliceRef(uint64_t id, uint32_t size) {
  std::string k = "K";
  PutBE64(k, id);
  PutBE32(k, size);
  return k;
}
std::string Delayed(int64_t unixSec, uint64_t id) {
  std::string k = "L";
  PutBE64(k, static_cast<uint64_t>(unixSec));
  PutBE64(k, id);
  return k;
}
std::string SessionExpire(uint64_t sid) {
  std::string k = "SE";
  PutBE64(k, sid);
  return k;
}
std::string SessionInfo(uint64_t sid) {
  std::string k = "SI";
  PutBE64(k, sid);
  return k;
}
std::string SessionFilePrefix(uint64_t sid) {
  std::string k = "SS";
  PutBE64(k, sid);
  return k;
}
std::string SessionFile(uint64_t sid, Ino ino) {
  std::string k = SessionFilePrefix(sid);
  PutLE64(k, ino);
  return k;
}
std::string DeletedPrefix(Ino ino) { return WithIno('D', ino); }
std::string InodeAll() { return "A"; }
std::string CounterAll() { return "C"; }
std::string DeletedAll() { return "D"; }
std::string SliceRefAll() { return "K"; }
std::string FlockAll() { return "F"; }
std::string PlockAll() { return "P"; }
std::string SessionExpireAll() { return "SE"; }
std::string SessionFileAll() { return "SS"; }

std::optional<std::string_view> EntryName(std::string_view key) {
  if (key.size() < 10 || key[0] != 'A' || key[9] != 'D') return std::nullopt;
  return key.substr(10);
}
std::optional<Ino> ParentOf(std::string_view key) {
  if (key.size() != 18 || key[0] != 'A' || key[9] != 'P') return std::nullopt;
  return GetLE64(key, 10);
}
std::optional<uint32_t> ChunkIndex(std::string_view key) {
  if (key.size() != 14 || key[0] != 'A' || key[9] != 'C') return std::nullopt;
  return GetBE32(key, 10);
}
std::optional<std::string_view> XattrName(std::string_view key) {
  if (key.size() < 10 || key[0] != 'A' || key[9] != 'X') return std::nullopt;
  return key.substr(10);
}
std::optional<DeletedKey> ParseDeleted(std::string_view key) {
  if (key.size() != 17 || key[0] != 'D') return std::nullopt;
  return DeletedKey{GetLE64(key, 1), GetBE64(key, 9)};
}
std::optional<SliceRefKey> ParseSliceRef(std::string_view key) {
  if (key.size() != 13 || key[0] != 'K') return std::nullopt;
  return SliceRefKey{GetBE64(key, 1), GetBE32(key, 9)};
}
std::optional<uint64_t> SessionOf(std::string_view key) {
  if (key.size() != 10 || key[0] != 'S') return std::nullopt;
  return GetBE64(key, 2);
}
std::optional<Ino> SessionFileIno(std::string_view key) {
  if (key.size() != 18 || key.substr(0, 2) != "SS") return std::nullopt;
  return GetLE64(key, 10);
}
std::optional<uint64_t> SessionFileSid(std::string_view ssKey) {
  if (ssKey.size() < 10 || ssKey.substr(0, 2) != "SS") return std::nullopt;
  return GetBE64(ssKey, 2);
}
bool IsFlockKey(std::string_view key) { return key.size() == 9 && key[0] == 'F'; }

std::optional<Ino> LockIno(std::string_view key) {
  if (key.size() != 9 || (key[0] != 'F' && key[0] != 'P')) return std::nullopt;
  return GetLE64(key, 1);
}

std::optional<InodeKey> ParseInodeKey(std::string_view key) {
  if (key.size() < 10 || key[0] != 'A') return std::nullopt;
  return InodeKey{GetLE64(key, 1), key[9]};
}

std::optional<std::string_view> CounterName(std::string_view key) {
  if (key.empty() || key[0] != 'C') return std::nullopt;
  return key.substr(1);
}

// ---- per-directory stats and directory quotas ----
std::string DirStat(Ino dir) { return WithIno('U', dir); }
std::string Quota(Ino dir) {
  std::string k = "QD";
  PutLE64(k, dir);
  return k;
}
std::string DirStatAll() { return "U"; }
std::string QuotaAll() { return "QD"; }
namespace {
std::optional<Ino> InoAfter(std::string_view key, std::string_view tag) {
  if (key.size() != tag.size() + 8 || !key.starts_with(tag)) return std::nullopt;
  return GetLE64(key, tag.size());
}
}  // namespace
std::optional<Ino> DirStatIno(std::string_view key) { return InoAfter(key, "U"); }
std::optional<Ino> QuotaIno(std::string_view key) { return InoAfter(key, "QD"); }

// ---- POSIX ACL rules ----
std::string AclRule(uint32_t id) {
  std::string k = "RA";
  PutBE32(k, id);
  return k;
}
std::string AclRefs(uint32_t id) {
  std::string k = "RC";
  PutBE32(k, id);
  return k;
}
std::string AclHash(uint64_t hash) {
  std::string k = "RH";
  PutBE64(k, hash);
  return k;
}
std::string AclRuleAll() { return "RA"; }
std::string AclRefsAll() { return "RC"; }
std::string AclAll() { return "R"; }
std::optional<uint32_t> AclIdOf(std::string_view key) {
  if (key.size() != 6 || key[0] != 'R' || (key[1] != 'A' && key[1] != 'C')) return std::nullopt;
  return GetBE32(key, 2);
}
// ---- `mount --writeback` staging records ----
std::string Writeback(std::string_view host, std::string_view dir) {
  std::string k = "W";
  k.append(host);
  k.push_back('\0');
  k.append(dir);
  return k;
}
std::string WritebackAll() { return "W"; }

}  // namespace slicefs::keys
