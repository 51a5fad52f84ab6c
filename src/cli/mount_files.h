// Reading a running mount's internal files (.stats, .config, .accesslog;
// see fuse/internal_files.h) for `slicefs stats`, `profile` and `debug`.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace slicefs::cli {

// The root of the slicefs mount that contains `path`. EINVAL with one line
// ("PATH is not inside a slicefs mount") otherwise.
Result<std::string> SlicefsMountRoot(const std::string& path);

// The whole content of root/name (an internal file).
Result<std::string> ReadMountFile(const std::string& root, const std::string& name);

// .stats text parsed: "name{labels}" -> value.
using StatsSample = std::map<std::string, double>;
StatsSample ParseStats(const std::string& text);

// Sum of the series of metric `name` whose label text contains `needle`
// ("" = all series of that name, labelled or not).
double SumOf(const StatsSample& s, const std::string& name, const std::string& needle = "");

}  // namespace slicefs::cli
