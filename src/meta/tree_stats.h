// Per-directory statistics, directory quotas and tree summaries: the
// plain types Meta hands out (docs/architecture.md, "Directory stats and
// quotas"; keys in docs/formats.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "meta/types.h"

namespace slicefs {

// What a directory's direct children hold. Every entry counts: a file with
// two hard links in one directory counts twice there (and in that
// directory's quotas). Directories count as an inode with length and space
// 0; `length` is the sum of file and symlink lengths, `space` the sum of
// their space as usedSpace counts it (4 KiB rounded regular files).
struct DirStat {
  int64_t length = 0;
  int64_t space = 0;
  int64_t inodes = 0;
  DirStat& operator+=(const DirStat& o) {
    length += o.length;
    space += o.space;
    inodes += o.inodes;
    return *this;
  }
  DirStat operator-() const { return DirStat{-length, -space, -inodes}; }
  DirStat Times(int64_t n) const { return DirStat{length * n, space * n, inodes * n}; }
  bool zero() const { return length == 0 && space == 0 && inodes == 0; }
  bool operator==(const DirStat&) const = default;
};

// What one entry of a child of this type and length adds to its directory's
// DirStat (the rule above; MetaImpl::StatOf applies it to an Attr).
inline DirStat ChildStat(FileType type, uint64_t length) {
  if (type == FileType::kDir) return DirStat{0, 0, 1};
  const auto len = static_cast<int64_t>(length);
  return DirStat{len, type == FileType::kFile ? (len + 4095) / 4096 * 4096 : 0, 1};
}

// A directory quota: limits (0 = none) and the usage of the whole subtree
// below the directory (the directory itself not counted).
struct Quota {
  uint64_t maxSpace = 0;
  uint64_t maxInodes = 0;
  int64_t usedSpace = 0;
  int64_t usedInodes = 0;
  bool operator==(const Quota&) const = default;
};

// One row of a tree summary (Meta::Summarize).
struct SummaryNode {
  std::string name;      // entry name ("/" or the path the caller gave for the top)
  Ino ino = 0;
  uint64_t length = 0;   // bytes of files and symlinks in the subtree
  uint64_t space = 0;    // their space (usedSpace units)
  uint64_t files = 0;    // non-directory entries in the subtree
  uint64_t dirs = 0;     // directories in the subtree, itself included
  // Subdirectories (largest space first, at most `entries` of them, within
  // `depth`); the rest of a directory's subdirectories are folded into one
  // child named "..." with ino 0.
  std::vector<SummaryNode> children;
};

}  // namespace slicefs
