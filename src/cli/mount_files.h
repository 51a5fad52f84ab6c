// Reading a running mount's internal files (.stats, .config, .accesslog;
// see fuse/internal_files.h) for `slicefs stats`, `profile` and `debug`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

// What a mount did between two .stats readings, as rows of `slicefs bench`'s
// table (item, "N operations", "X ms/op"): FUSE requests, metadata
// transactions, object PUTs, GETs and DELETEs. Items with no operation are left out.
struct CostRow {
  std::string item, value, cost;
};
std::vector<CostRow> MountCostRows(const StatsSample& before, const StatsSample& after);

// Lines of a mount's .accesslog, read by a detached thread of their own
// (reads block until the mount has lines; the process may exit while one
// waits, which closes the file and ends the mount's reader). Holds at most
// kMaxBytes of unread lines; beyond that lines are counted as dropped.
// Threading: Take may be called from any thread.
class AccessLogTail {
 public:
  static constexpr size_t kMaxBytes = 64u << 20;
  static Result<std::shared_ptr<AccessLogTail>> Open(const std::string& root);
  // The lines read since the last call. *ended: the log ended (unmount or
  // read error, then *error says which).
  std::vector<std::string> Take(bool* ended = nullptr, std::string* error = nullptr);
  uint64_t dropped();

 private:
  static void Loop(std::shared_ptr<AccessLogTail> self, int fd);
  std::mutex mu_;
  std::vector<std::string> lines_;
  size_t bytes_ = 0;
  uint64_t dropped_ = 0;
  std::string error_;
  bool ended_ = false;
};

}  // namespace slicefs::cli
