#include "meta/meta_impl.h"

namespace slicefs {

Result<Entry> MetaImpl::Symlink(const Ctx& ctx, Ino parent, std::string_view name, std::string_view target) {
  if (target.empty()) return Err(ENOENT, "empty symlink target");
  if (target.size() >= kMaxSymlinkLen) return Err(ENAMETOOLONG, "symlink target too long");
  return CreateNode(ctx, parent, name, FileType::kSymlink, 0777, 0, 0, target, -1);
}

}  // namespace slicefs
