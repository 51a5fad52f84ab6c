#include "vfs/control/command.h"

namespace slicefs::control {

void RegisterClone(ControlRegistry& r) {
  r.Add("clone", [](ControlCall&) -> Result<nlohmann::json> { return Err(ENOSYS, "clone: not yet"); });
}

}  // namespace slicefs::control
