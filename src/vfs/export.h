// Copies files out of a volume into a local directory without a mount
// (`slicefs export`): modes, owners (when run as root), timestamps,
// symlinks, hard links, xattrs, fifos and devices are reproduced, and holes
// stay holes. Every file is read through the data layer, which checks each
// block (its length, and its checksum where the volume has one); a file
// whose data cannot be read is reported with its path (and removed from
// DEST) and the export goes on.
//
// Memory: a depth-first walk holding one page of entries per level, plus
// the hard-linked inodes already exported. Threading: one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vfs/path_fs.h"

namespace slicefs {

struct ExportStats {
  uint64_t files = 0, dirs = 0, symlinks = 0, links = 0, others = 0, bytes = 0;
  std::vector<std::string> failed;  // "PATH: reason", one per file not exported
};

struct ExportOptions {
  std::function<void(const std::string& line)> onError;  // called for each failure as it happens
};

// Exports volume path `from` (a directory) into the local directory `dest`
// (created if missing; existing files are overwritten).
Result<ExportStats> ExportTree(PathFs& fs, const std::string& from, const std::string& dest,
                               const ExportOptions& opts = {});

}  // namespace slicefs
