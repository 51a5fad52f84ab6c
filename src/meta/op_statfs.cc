#include "meta/meta_impl.h"

namespace slicefs {

Result<StatFsInfo> MetaImpl::StatFs(const Ctx& ctx, Ino ino) {
  int64_t space = 0, inodes = 0;
  META_TRY(usage_.ReadCurrent(&space, &inodes));  // this client's unflushed changes count too
  StatFsInfo st;
  uint64_t used = static_cast<uint64_t>(space);
  st.totalSpace = fmt_.capacity ? fmt_.capacity : (1ULL << 50);  // 1 PiB when unlimited
  if (st.totalSpace < used) st.totalSpace = used;
  st.availSpace = st.totalSpace - used;
  st.usedInodes = static_cast<uint64_t>(inodes);
  uint64_t total = fmt_.inodes ? fmt_.inodes : st.usedInodes + (1ULL << 30);
  st.availInodes = total > st.usedInodes ? total - st.usedInodes : 0;
  META_TRY(QuotaStatFs(ino, st));  // df on a directory with a quota shows the quota
  return st;
}

}  // namespace slicefs
