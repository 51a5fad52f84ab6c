// Hot counters: see usage_counters.h.
#include "meta/meta_impl.h"

namespace slicefs {

Status MetaImpl::FlushUsage() { return usage_.Flush(); }

}  // namespace slicefs
