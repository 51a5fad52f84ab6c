#include "vfs/maintenance.h"

#include "common/url.h"
#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/meta.h"
#include "vfs/volume.h"

namespace slicefs {

Result<MaintenanceVolume> OpenMaintenance(const std::string& metaUrl, bool storage, bool requireUuid) {
  MaintenanceVolume v;
  ASSIGN_OR_RETURN(v.kv, Volume::OpenEngine(metaUrl, /*mustExist=*/true));
  auto fmt = Meta::LoadFormat(*v.kv);
  if (!fmt) {
    if (fmt.error().is(ENOENT)) {
      return Err(ENOENT, "volume not formatted at " + RedactedUrl(metaUrl) + " (run `slicefs format` first)");
    }
    return Err(fmt.error().code(), "reading volume format: " + fmt.error().message());
  }
  v.fmt = *fmt;
  if (!storage) return v;
  RETURN_IF_ERROR(UnlockEncryption(v.fmt));  // encrypted volumes: a passphrase error is not "unreachable"
  auto s = Volume::OpenStorage(v.fmt, /*plain=*/true);
  if (!s) return Err(s.error().code(), "storage unreachable: " + s.error().message());
  v.store = std::move(*s);
  Status st = CheckVolumeUuid(*v.store, v.fmt);
  if (!st.ok() && (requireUuid || !st.is(ENOENT))) return Err(st);
  return v;
}

Result<std::vector<std::pair<uint64_t, int64_t>>> LiveSessions(KvStore& kv, int64_t nowSec) {
  std::vector<std::pair<uint64_t, int64_t>> out;
  RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    return ScanPrefix(tx, keys::SessionExpireAll(), 1000, [&](const KeyValue& e) -> Status {
      auto sid = keys::SessionOf(e.key);
      const int64_t expire = DecodeCounter(e.value);
      if (sid && expire >= nowSec) out.emplace_back(*sid, expire);
      return Status::OK();
    });
  }));
  return out;
}

}  // namespace slicefs
