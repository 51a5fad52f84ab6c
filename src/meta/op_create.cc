#include "meta/meta_impl.h"

namespace slicefs {

Result<Entry> MetaImpl::Create(const Ctx& ctx, Ino parent, std::string_view name, uint32_t mode, uint32_t cumask,
                               int openFlags) {
  if (openFlags < 0) openFlags = 0;
  return CreateNode(ctx, parent, name, FileType::kFile, mode, cumask, 0, "", openFlags);
}

}  // namespace slicefs
