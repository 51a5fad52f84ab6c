// The trash: with trashDays > 0, the last unlink of a regular file moves it
// into the .trash directory (kTrashIno) as "{parent}-{ino}-{name}" (see
// MetaImpl::DropLink). This cleaner removes entries whose ctime (the time
// they were trashed) is older than trashDays.
#include "meta/meta_impl.h"

namespace slicefs {

Result<int> MetaImpl::CleanTrash(int64_t nowNs) {
  META_TRY(CheckWritable());
  const int64_t cutoff = nowNs - static_cast<int64_t>(fmt_.trashDays) * 86400LL * 1000000000LL;
  const Ctx root = Ctx::Root();
  int removed = 0;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(auto entries, Readdir(root, kTrashIno, after, 1000, true));
    for (const auto& e : entries) {
      if (e.attr && e.attr->ctimeNs >= cutoff) continue;
      Status st = Unlink(root, kTrashIno, e.name);
      if (st.ok()) {
        removed++;
      } else if (!st.is(ENOENT)) {
        return Err(st);
      }
    }
    if (entries.size() < 1000) break;
    after = entries.back().name;
  }
  return removed;
}

}  // namespace slicefs
