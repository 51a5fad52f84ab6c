// Parsing and aggregation of access-log lines (the .accesslog format of
// fuse/op_trace.h: "DATE TIME [uid:U,gid:G,pid:P] OP (ARGS): RESULT <SECS>")
// for `slicefs profile`. Not thread-safe: one owner.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace slicefs::cli {

struct AccessRecord {
  uint32_t uid = 0, gid = 0, pid = 0;
  std::string op;
  std::string result;  // "OK", "OK (4096)", "ENOENT"
  double seconds = 0;
};

// nullopt for lines that are not operations ("#dropped N lines", garbage).
std::optional<AccessRecord> ParseAccessLine(const std::string& line);

struct ProfileFilter {
  std::optional<uint32_t> uid, gid, pid;
  bool Match(const AccessRecord& r) const {
    return (!uid || r.uid == *uid) && (!gid || r.gid == *gid) && (!pid || r.pid == *pid);
  }
};

class AccessProfile {
 public:
  struct Sum {
    uint64_t count = 0;
    double seconds = 0;
  };
  explicit AccessProfile(ProfileFilter f = {}) : filter_(f) {}
  // Feeds one line; returns false when the line was not an operation.
  bool Add(const std::string& line);
  void Clear();
  uint64_t total() const { return total_.count; }
  uint64_t dropped() const { return dropped_; }

  // A table of the top `top` ops, processes and users by total time.
  // `elapsed` > 0 adds rates. comm(pid) names a process ("" if unknown).
  std::string Report(double elapsed, size_t top, std::string (*comm)(uint32_t) = nullptr) const;

 private:
  ProfileFilter filter_;
  Sum total_;
  uint64_t dropped_ = 0;
  std::map<std::string, Sum> byOp_;
  std::map<uint32_t, Sum> byPid_, byUid_;
};

}  // namespace slicefs::cli
