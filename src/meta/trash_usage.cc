// ExpiredTrash: what CleanTrash (trash.cc) would purge at a time, counted
// without changing anything (gc's report): every entry of each expired hour
// directory's tree plus the hour itself, and the files' lengths. It uses the
// cleaner's own expiry rule (TrashExpired), so the two stay together.
#include "meta/meta_impl.h"

namespace slicefs {

Result<Meta::TrashUsage> MetaImpl::ExpiredTrash(int64_t nowNs) {
  TrashUsage u;
  const Ctx root = Ctx::Root();
  // Counts e and everything below it.
  std::vector<Ino> dirs;
  auto count = [&](const DirEntry& e) {
    u.entries++;
    if (e.attr && e.type == FileType::kFile) u.bytes += e.attr->length;
    if (e.type == FileType::kDir) dirs.push_back(e.ino);
  };
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(auto entries, Readdir(root, kTrashIno, after, 1000, true));
    for (const auto& e : entries) {
      if (TrashExpired(e, nowNs)) count(e);
    }
    if (entries.size() < 1000) break;
    after = entries.back().name;
  }
  while (!dirs.empty()) {
    const Ino d = dirs.back();
    dirs.pop_back();
    std::string from;
    for (;;) {
      ASSIGN_OR_RETURN(auto batch, Readdir(root, d, from, 1000, true));
      for (const auto& e : batch) count(e);
      if (batch.size() < 1000) break;
      from = batch.back().name;
    }
  }
  return u;
}

}  // namespace slicefs
