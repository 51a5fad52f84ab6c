// The list of control commands: one Register line per cmd_*.cc file.
#include "vfs/control/command.h"

namespace slicefs::control {
namespace {

// "ping": who the mount thinks the caller is, and where a path falls (tools
// and tests check the channel with it).
Result<nlohmann::json> Ping(ControlCall& c) {
  nlohmann::json out{{"uid", c.ctx().uid}, {"gid", c.ctx().gid}, {"gids", c.ctx().gids}, {"pid", c.ctx().pid}};
  if (c.args().contains("path") && c.args()["path"].is_string()) {
    ASSIGN_OR_RETURN(auto vp, c.VolumePath(c.args()["path"].get<std::string>()));
    out["path"] = vp;
  }
  return out;
}

}  // namespace

const ControlRegistry& BuiltinCommands() {
  static const ControlRegistry reg = [] {
    ControlRegistry r;
    r.Add("ping", Ping);
    RegisterRmr(r);
    RegisterClone(r);
    RegisterCompact(r);
    RegisterWarmup(r);
    RegisterSummary(r);
    RegisterInfo(r);
    RegisterMetaUrl(r);
    return r;
  }();
  return reg;
}

}  // namespace slicefs::control
