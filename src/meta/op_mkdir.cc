#include "meta/meta_impl.h"

namespace slicefs {

Result<Entry> MetaImpl::Mkdir(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask) {
  return CreateNode(ctx, parent, name, FileType::kDir, mode, cumask, 0, "", -1);
}

}  // namespace slicefs
