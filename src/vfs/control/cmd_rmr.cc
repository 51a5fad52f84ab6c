#include "vfs/control/command.h"

namespace slicefs::control {

void RegisterRmr(ControlRegistry& r) {
  r.Add("rmr", [](ControlCall&) -> Result<nlohmann::json> { return Err(ENOSYS, "rmr: not yet"); });
}

}  // namespace slicefs::control
