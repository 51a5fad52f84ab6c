// Hot counters: see usage_counters.h.
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::FlushUsage() {
  Status st = usage_.Flush();
  Status ds = dirStats_.Flush();  // per-directory stats and quotas (dir_stats.h)
  return st.ok() ? ds : st;
}

}  // namespace slicefs
