#include "vfs/control/command.h"

namespace slicefs::control {

void RegisterWarmup(ControlRegistry& r) {
  r.Add("warmup", [](ControlCall&) -> Result<nlohmann::json> { return Err(ENOSYS, "warmup: not yet"); });
}

}  // namespace slicefs::control
