// ListObjects over the directory tree, in S3 key order, with bounded memory:
// directories are walked in name order one page at a time (no tree is
// loaded), and a directory "d" is visited where its keys "d/..." sort, i.e.
// after sibling names "d" + c for c < '/' (those are held back in a set
// bounded by the prefixes of one name). A continuation key seeks straight to
// its position (lookups along its path) instead of rescanning.
//
// With delimiter "/" subdirectories become common prefixes and are not
// entered; other delimiters walk the whole subtree and fold keys into common
// prefixes as they stream by. Empty directories are listed as folder
// objects "d/" when the subtree is walked. Symbolic links and special files
// are not objects and are skipped. Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

#include "gateway/s3_fs.h"

namespace slicefs::gateway {

struct ListParams {
  std::string prefix;
  std::string delimiter;
  std::string after;  // exclusive: start-after, marker or continuation key
  size_t maxKeys = 1000;
};

struct ListOutput {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned
};

S3Error ListObjects(S3Fs& s3, std::string_view bucket, const ListParams& p, ListOutput* out);

}  // namespace slicefs::gateway
