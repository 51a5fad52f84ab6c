#include "meta/meta_impl.h"

namespace slicefs {

Result<uint64_t> MetaImpl::NewSliceId() {
  META_TRY(CheckWritable());
  return sliceIds_.Next();
}

}  // namespace slicefs
