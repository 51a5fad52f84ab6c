// Value encodings of inode attributes (A{ino}I), directory entries
// (A{ino}D{name}), parent link counts (A{ino}P{parent}) and counters (C{name}).
// Byte layouts are documented in docs/formats.md; all numbers big-endian.
// Decoders return EIO on a malformed value (corruption), never over-read.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/types.h"

namespace slicefs {

inline constexpr uint8_t kAttrVersion = 1;
inline constexpr size_t kAttrEncodedSize = 61;  // version 1
// Version 2 (written only for inodes with an ACL): version 1's layout plus
// accessAcl BE32 | defaultAcl BE32.
inline constexpr uint8_t kAttrVersionAcl = 2;
inline constexpr size_t kAttrEncodedSizeAcl = 69;

std::string EncodeAttr(const Attr& a);
Result<Attr> DecodeAttr(std::string_view v);

// Directory entry value: type (1 byte) + child inode (BE64).
struct EntryValue {
  FileType type = FileType::kFile;
  Ino ino = 0;
};
std::string EncodeEntry(FileType type, Ino ino);
Result<EntryValue> DecodeEntry(std::string_view v);

// Signed 64-bit counters and link counts (BE64, two's complement).
std::string EncodeCounter(int64_t v);
int64_t DecodeCounter(std::string_view v);  // malformed/short -> 0

}  // namespace slicefs
