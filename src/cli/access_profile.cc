#include "cli/access_profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace slicefs::cli {

std::optional<AccessRecord> ParseAccessLine(const std::string& line) {
  auto lb = line.find(" [uid:");
  if (lb == std::string::npos) return std::nullopt;
  auto rb = line.find("] ", lb);
  auto lt = line.rfind(" <");
  auto colon = line.rfind("): ", lt);
  if (rb == std::string::npos || lt == std::string::npos || colon == std::string::npos || colon < rb) {
    return std::nullopt;
  }
  AccessRecord r;
  unsigned uid, gid, pid;
  if (std::sscanf(line.c_str() + lb, " [uid:%u,gid:%u,pid:%u]", &uid, &gid, &pid) != 3) return std::nullopt;
  r.uid = uid, r.gid = gid, r.pid = pid;
  auto paren = line.find(" (", rb + 2);
  if (paren == std::string::npos || paren > colon) return std::nullopt;
  r.op = line.substr(rb + 2, paren - rb - 2);
  r.result = line.substr(colon + 3, lt - colon - 3);
  r.seconds = std::strtod(line.c_str() + lt + 2, nullptr);
  if (r.op.empty()) return std::nullopt;
  return r;
}

bool AccessProfile::Add(const std::string& line) {
  if (line.rfind("#dropped ", 0) == 0) {
    dropped_ += std::strtoull(line.c_str() + 9, nullptr, 10);
    return false;
  }
  auto r = ParseAccessLine(line);
  if (!r) return false;
  if (!filter_.Match(*r)) return true;
  for (Sum* s : {&total_, &byOp_[r->op], &byPid_[r->pid], &byUid_[r->uid]}) {
    s->count++;
    s->seconds += r->seconds;
  }
  return true;
}

void AccessProfile::Clear() {
  total_ = {};
  dropped_ = 0;
  byOp_.clear();
  byPid_.clear();
  byUid_.clear();
}

namespace {

template <class K>
std::vector<std::pair<K, AccessProfile::Sum>> Top(const std::map<K, AccessProfile::Sum>& m, size_t top) {
  std::vector<std::pair<K, AccessProfile::Sum>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) {
    return a.second.seconds != b.second.seconds ? a.second.seconds > b.second.seconds
                                                : a.second.count > b.second.count;
  });
  if (v.size() > top) v.resize(top);
  return v;
}

std::string RowText(const std::string& key, const AccessProfile::Sum& s, double elapsed) {
  char rate[32] = "-";
  if (elapsed > 0) std::snprintf(rate, sizeof rate, "%.1f", s.count / elapsed);
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-22s %10llu %10s %12.3f %10.3f\n", key.c_str(),
                static_cast<unsigned long long>(s.count), rate, s.seconds, s.count ? s.seconds / s.count * 1000 : 0.0);
  return buf;
}

std::string Head(const char* what) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-22s %10s %10s %12s %10s\n", what, "COUNT", "OPS/S", "TOTAL(s)", "AVG(ms)");
  return buf;
}

}  // namespace

std::string AccessProfile::Report(double elapsed, size_t top, std::string (*comm)(uint32_t)) const {
  std::string out;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%llu operations, %.3f s in total", static_cast<unsigned long long>(total_.count),
                total_.seconds);
  out += buf;
  if (elapsed > 0) {
    std::snprintf(buf, sizeof buf, ", over %.1f s (%.1f ops/s)", elapsed, total_.count / elapsed);
    out += buf;
  }
  if (dropped_ > 0) out += ", " + std::to_string(dropped_) + " lines dropped by the mount (reader too slow)";
  out += "\n" + Head("OPERATION");
  for (auto& [op, s] : Top(byOp_, top)) out += RowText(op, s, elapsed);
  out += Head("PROCESS");
  for (auto& [pid, s] : Top(byPid_, top)) {
    std::string name = comm ? comm(pid) : "";
    out += RowText(std::to_string(pid) + (name.empty() ? "" : " (" + name + ")"), s, elapsed);
  }
  out += Head("USER");
  for (auto& [uid, s] : Top(byUid_, top)) out += RowText(std::to_string(uid), s, elapsed);
  return out;
}

}  // namespace slicefs::cli
