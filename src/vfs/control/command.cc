#include "vfs/control/command.h"

namespace slicefs::control {

Result<std::string> ControlCall::VolumePath(const std::string& p) const {
  if (p.empty() || p[0] != '/') return Err(EINVAL, "path '" + p + "' is not absolute");
  const std::string& mp = mountpoint_;
  if (p == mp) return std::string("/");
  if (p.size() > mp.size() && p.compare(0, mp.size(), mp) == 0 && (p[mp.size()] == '/' || mp == "/")) {
    return mp == "/" ? p : p.substr(mp.size());
  }
  return Err(EXDEV, p + " is outside the mount at " + mp);
}

Result<std::vector<std::string>> ControlCall::VolumePaths(const std::string& key) const {
  if (!args_.contains(key) || !args_[key].is_array() || args_[key].empty()) {
    return Err(EINVAL, "missing '" + key + "' (a list of paths)");
  }
  std::vector<std::string> out;
  for (const auto& v : args_[key]) {
    if (!v.is_string()) return Err(EINVAL, "'" + key + "' must hold strings");
    ASSIGN_OR_RETURN(auto vp, VolumePath(v.get<std::string>()));
    out.push_back(std::move(vp));
  }
  return out;
}

void ControlCall::Progress(const nlohmann::json& p, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - lastProgress_ < std::chrono::milliseconds(200)) return;
  lastProgress_ = now;
  if (gone_) return;
  if (!send_(nlohmann::json{{"progress", p}})) gone_ = true;
}

bool ControlCall::Cancelled() {
  if (gone_) return true;
  auto now = std::chrono::steady_clock::now();
  if (now - lastCheck_ < std::chrono::milliseconds(20)) return false;
  lastCheck_ = now;
  if (cancelled_ && cancelled_()) gone_ = true;
  return gone_;
}

std::vector<std::string> ControlRegistry::Names() const {
  std::vector<std::string> out;
  for (auto& [n, h] : handlers_) out.push_back(n);
  return out;
}

}  // namespace slicefs::control
