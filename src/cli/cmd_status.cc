// slicefs status META-URL: the volume format (secrets redacted), usage and
// every registered session (host, mount point, pid, last heartbeat), as JSON.
#include <nlohmann/json.hpp>

#include <ctime>

#include "cli/command.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

// "2026-11-29T13:20:05Z" (UTC); "" for 0 (unknown).
std::string UtcTime(int64_t unixSec) {
  if (unixSec <= 0) return "";
  std::time_t t = static_cast<std::time_t>(unixSec);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void RunStatus(const std::string& metaUrl) {
  VolumeOptions vo;
  vo.readOnly = true;
  vo.openData = false;  // settings, usage and sessions only: no storage needed
  auto vol = Check(Volume::Open(metaUrl, vo));
  Meta& meta = vol->meta();
  auto sessions = Check(meta.ListSessions());
  auto usage = Check(meta.StatFs(Ctx::Root(), kRootIno));

  nlohmann::ordered_json out;
  out["Setting"] = nlohmann::ordered_json::parse(vol->format().ToJson(/*redactSecrets=*/true));
  out["Usage"] = {{"usedSpace", usage.totalSpace - usage.availSpace}, {"usedInodes", usage.usedInodes}};
  auto list = nlohmann::ordered_json::array();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& s : sessions) {
    list.push_back({{"sid", s.sid},
                    {"hostname", s.info.hostname},
                    {"mountPoint", s.info.mountPoint},
                    {"processId", s.info.processId},
                    {"version", s.info.version},
                    {"readOnly", s.info.readOnly},
                    {"heartbeat", s.lastHeartbeatSec},
                    {"heartbeatTime", UtcTime(s.lastHeartbeatSec)},
                    {"expire", s.expireSec},
                    {"expireTime", UtcTime(s.expireSec)},
                    {"stale", s.expireSec < now}});
    // Network services (webdav, gateway) say what they are and where.
    if (!s.info.kind.empty()) {
      list.back()["kind"] = s.info.kind;
      list.back()["address"] = s.info.address;
    }
  }
  out["Sessions"] = list;
  std::printf("%s\n", out.dump(2).c_str());
}

void Setup(CLI::App& app) {
  auto metaUrl = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("status", "Show a volume's settings, usage and live sessions as JSON");
  cmd->add_option("META-URL", *metaUrl, "metadata engine, e.g. sqlite3://vol.db")->required();
  cmd->callback([metaUrl] { RunStatus(*metaUrl); });
}

}  // namespace

REGISTER_COMMAND("status", Setup);

}  // namespace slicefs::cli
