// "meta-url": the mount's full META-URL, password included, for tools that
// must open the same engine (`slicefs debug` runs `status` on it). Only root
// and the mount's owner get it (as mapped by --root-squash/--all-squash);
// everyone else gets EACCES. The mount root's user.slicefs.meta_url
// attribute shows the URL with its password redacted, so the password
// leaves the mount process only through this root-owned (or owner-owned)
// socket. No args; result {"url": ...}.
#include "vfs/control/command.h"

namespace slicefs::control {
namespace {

Result<nlohmann::json> MetaUrl(ControlCall& c) {
  if (c.ctx().uid != 0 && c.ctx().uid != c.vfs().ownerUid())
    return Err(EACCES, "only root and the mount's owner may read the metadata URL");
  return nlohmann::json{{"url", c.vfs().metaUrl()}};
}

}  // namespace

void RegisterMetaUrl(ControlRegistry& r) { r.Add("meta-url", MetaUrl); }

}  // namespace slicefs::control
