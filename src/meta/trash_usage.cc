// ExpiredTrash: what CleanTrash (trash.cc) would purge at a time, counted
// without changing anything (gc's report). It walks the trash the way the
// cleaner does, so a change of the trash layout changes both together.
#include "meta/meta_impl.h"

namespace slicefs {

Result<Meta::TrashUsage> MetaImpl::ExpiredTrash(int64_t nowNs) {
  const int64_t cutoff = nowNs - static_cast<int64_t>(fmt_.trashDays) * 86400LL * 1000000000LL;
  TrashUsage u;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(auto entries, Readdir(Ctx::Root(), kTrashIno, after, 1000, true));
    for (const auto& e : entries) {
      if (e.attr && e.attr->ctimeNs >= cutoff) continue;
      u.entries++;
      if (e.attr) u.bytes += e.attr->length;
    }
    if (entries.size() < 1000) break;
    after = entries.back().name;
  }
  return u;
}

}  // namespace slicefs
