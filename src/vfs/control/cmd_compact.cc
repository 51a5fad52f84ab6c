#include "vfs/control/command.h"

namespace slicefs::control {

void RegisterCompact(ControlRegistry& r) {
  r.Add("compact", [](ControlCall&) -> Result<nlohmann::json> { return Err(ENOSYS, "compact: not yet"); });
}

}  // namespace slicefs::control
