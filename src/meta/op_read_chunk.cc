#include "meta/meta_impl.h"

namespace slicefs {

Result<std::vector<SliceRecord>> MetaImpl::ReadChunk(Ino ino, uint32_t index) {
  std::vector<SliceRecord> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Chunk(ino, index)));
    if (!v) {
      out.clear();
      return Status::OK();
    }
    ASSIGN_OR_RETURN(out, DecodeSliceRecords(*v));
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
