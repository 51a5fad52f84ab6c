// The metadata key schema (docs/formats.md, "Metadata keys"). Every key the
// meta layer reads or writes is built here and nowhere else.
//
// Inode numbers inside keys are 8 bytes little-endian (spreads inodes over
// the key space); every other number in a key is big-endian so that keys of
// one kind sort numerically (slice ids, session ids, times, lengths, chunk
// indexes). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "meta/types.h"

namespace slicefs::keys {

inline constexpr char kSettingKey[] = "setting";

// Counter names (keys "C" + name).
inline constexpr char kNextInode[] = "nextInode";
inline constexpr char kNextChunk[] = "nextChunk";
inline constexpr char kNextSession[] = "nextSession";
inline constexpr char kUsedSpace[] = "usedSpace";
inline constexpr char kTotalInodes[] = "totalInodes";
inline constexpr char kLastBackup[] = "lastBackup";  // unix seconds of the last claimed backup

std::string Setting();
std::string Counter(std::string_view name);                 // C{name}
std::string Attr(Ino ino);                                  // A{ino}I
std::string Entry(Ino parent, std::string_view name);       // A{ino}D{name}
std::string EntryPrefix(Ino parent);                        // A{ino}D
std::string Parent(Ino ino, Ino parent);                    // A{ino}P{parent}
std::string ParentPrefix(Ino ino);                          // A{ino}P
std::string Chunk(Ino ino, uint32_t index);                 // A{ino}C{index:BE32}
std::string ChunkPrefix(Ino ino);                           // A{ino}C
std::string Symlink(Ino ino);                               // A{ino}S
std::string Xattr(Ino ino, std::string_view name);          // A{ino}X{name}
std::string XattrPrefix(Ino ino);                           // A{ino}X
std::string Deleted(Ino ino, uint64_t length);              // D{ino}{length:BE64}
std::string Flock(Ino ino);                                 // F{ino}
std::string Plock(Ino ino);                                 // P{ino}
std::string SliceRef(uint64_t id, uint32_t size);           // K{id:BE64}{size:BE32}
std::string Delayed(int64_t unixSec, uint64_t id);          // L{time:BE64}{id:BE64}
std::string SessionExpire(uint64_t sid);                    // SE{sid:BE64}
std::string SessionInfo(uint64_t sid);                      // SI{sid:BE64}
std::string SessionFile(uint64_t sid, Ino ino);             // SS{sid:BE64}{ino}
std::string SessionFilePrefix(uint64_t sid);                // SS{sid:BE64}
std::string DeletedPrefix(Ino ino);                         // D{ino}
// Whole kinds of keys, for scans over the volume.
std::string InodeAll();                                     // A
std::string CounterAll();                                   // C
std::string DeletedAll();                                   // D
std::string SliceRefAll();                                  // K
std::string FlockAll();                                     // F
std::string PlockAll();                                     // P
std::string SessionExpireAll();                             // SE
std::string SessionFileAll();                               // SS

// Decoders for keys found by prefix scans; nullopt when malformed.
// The entry name of an A{ino}D{name} key.
std::optional<std::string_view> EntryName(std::string_view key);
std::optional<Ino> ParentOf(std::string_view parentKey);    // from A{ino}P{parent}
std::optional<uint32_t> ChunkIndex(std::string_view chunkKey);
std::optional<std::string_view> XattrName(std::string_view key);
struct DeletedKey { Ino ino; uint64_t length; };
std::optional<DeletedKey> ParseDeleted(std::string_view key);
struct SliceRefKey { uint64_t id; uint32_t size; };
std::optional<SliceRefKey> ParseSliceRef(std::string_view key);
std::optional<uint64_t> SessionOf(std::string_view seKey);  // from SE/SI{sid}
std::optional<Ino> SessionFileIno(std::string_view ssKey);  // from SS{sid}{ino}
std::optional<uint64_t> SessionFileSid(std::string_view ssKey);  // from SS{sid}...
std::optional<Ino> LockIno(std::string_view key);           // from F{ino} / P{ino}
bool IsFlockKey(std::string_view key);                      // F{ino} (else P{ino})
// Any A{ino}{kind}... key: the inode and the kind byte ('C' chunk, 'D'
// entry, 'I' attributes, 'P' parent, 'S' symlink, 'X' xattr).
struct InodeKey { Ino ino; char kind; };
std::optional<InodeKey> ParseInodeKey(std::string_view key);
std::optional<std::string_view> CounterName(std::string_view key);  // from C{name}

// ---- per-directory stats and directory quotas (dir_stats.h) ----
std::string DirStat(Ino dir);                               // U{ino}
std::string Quota(Ino dir);                                 // QD{ino}
std::string DirStatAll();                                   // U
std::string QuotaAll();                                     // QD
std::optional<Ino> DirStatIno(std::string_view key);        // from U{ino}
std::optional<Ino> QuotaIno(std::string_view key);          // from QD{ino}

// ---- POSIX ACL rules (meta/acl.h, acl_store.cc) ----
inline constexpr char kNextAcl[] = "nextAcl";               // counter: the last ACL id given out
std::string AclRule(uint32_t id);                           // RA{id:BE32}: the rule (immutable)
std::string AclRefs(uint32_t id);                           // RC{id:BE32}: inodes using it (BE64)
std::string AclHash(uint64_t hash);                         // RH{hash:BE64}: ids with that hash
std::string AclRuleAll();                                   // RA
std::string AclRefsAll();                                   // RC
std::string AclAll();                                       // R
std::optional<uint32_t> AclIdOf(std::string_view key);      // from RA{id} / RC{id}
// ---- `mount --writeback`: blocks staged on a host, not yet uploaded (vfs/writeback_record.h) ----
std::string Writeback(std::string_view host, std::string_view dir);  // W{host}\0{dir}
std::string WritebackAll();                                 // W

}  // namespace slicefs::keys
