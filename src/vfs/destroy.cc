#include "vfs/destroy.h"

#include <atomic>

#include "object/storage_setup.h"
#include "vfs/parallel.h"

namespace slicefs {

Result<DestroyReport> DestroyVolume(MaintenanceVolume& vol, int threads,
                                    const std::function<void(uint64_t, uint64_t)>& progress) {
  DestroyReport rep;
  ObjectStore& store = *vol.store;
  const std::string prefix = vol.fmt.name + "/";
  const std::string uuidKey = UuidObjectKey(vol.fmt.name);
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(ListPage page, store.list(prefix, after, 1000));
    std::atomic<uint64_t> bytes{0};
    RETURN_IF_ERROR(ParallelFor(page.objects.size(), threads, [&](size_t i) -> Status {
      const auto& o = page.objects[i];
      if (o.key == uuidKey) return Status::OK();
      RETURN_IF_ERROR(store.del(o.key).WithContext("deleting " + o.key));
      bytes += o.size;
      return Status::OK();
    }));
    for (const auto& o : page.objects) rep.objects += o.key == uuidKey ? 0 : 1;
    rep.bytes += bytes;
    if (progress) progress(rep.objects, rep.bytes);
    if (!page.truncated || page.objects.empty()) break;
    after = page.objects.back().key;
  }
  RETURN_IF_ERROR(store.del(uuidKey).WithContext("deleting " + uuidKey));
  Status st = vol.kv->dropAll();
  if (!st.ok()) return Err(st.WithContext("deleting the metadata (objects are gone; rerun to finish)"));
  return rep;
}

}  // namespace slicefs
