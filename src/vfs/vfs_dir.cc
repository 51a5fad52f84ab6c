// Vfs: directory streams with stable offsets.
#include <unistd.h>

#include "vfs/vfs.h"

namespace slicefs {

namespace {
constexpr size_t kDirBatch = 512;
}

Result<uint64_t> Vfs::OpenDir(const Ctx& ctx, Ino ino) {
  ASSIGN_OR_RETURN(Attr a, meta_->GetAttr(ctx, ino));
  if (a.type != FileType::kDir) return Err(ENOTDIR, "not a directory");
  return handles_.AddDir(ino);
}

Status Vfs::ReadDir(const Ctx& ctx, uint64_t fh, uint64_t off, bool plus, const DirEmit& emit) {
  auto h = handles_.Dir(fh);
  if (!h) return Status::Error(EBADF, "unknown directory handle");
  std::lock_guard lk(h->mu);
  if (off == 0 || !h->loaded || off < h->base) {
    // Fresh snapshot (also when seeking back before the kept window: the
    // stream is rebuilt and replayed up to `off`).
    h->base = 0;
    h->entries.clear();
    h->after.clear();
    h->eof = false;
    ASSIGN_OR_RETURN(Attr self, meta_->GetAttr(ctx, h->ino));
    Ino parent = h->ino == kRootIno || self.parent == 0 ? h->ino : self.parent;
    DirEntry dot{".", h->ino, FileType::kDir, self};
    DirEntry dotdot{"..", parent, FileType::kDir, std::nullopt};
    if (plus) {
      auto pa = meta_->GetAttr(ctx, parent);
      if (pa) dotdot.attr = *pa;
    }
    h->entries.push_back(std::move(dot));
    h->entries.push_back(std::move(dotdot));
    h->loaded = true;
  }
  size_t idx = off;
  while (true) {
    while (idx >= h->base + h->entries.size() && !h->eof) {
      ASSIGN_OR_RETURN(auto batch, meta_->Readdir(ctx, h->ino, h->after, kDirBatch, plus));
      if (batch.size() < kDirBatch) h->eof = true;
      if (!batch.empty()) h->after = batch.back().name;
      for (auto& e : batch) h->entries.push_back(std::move(e));
    }
    if (idx >= h->base + h->entries.size()) break;
    DirEntry e = h->entries[idx - h->base];
    if (plus && !e.attr) {
      auto a = meta_->GetAttr(ctx, e.ino);
      if (a) e.attr = *a;
    }
    if (e.attr) e.attr = Merge(e.ino, *e.attr);
    if (!emit(e, idx + 1)) break;
    idx++;
  }
  // Keep a window of consumed entries for telldir/seekdir; drop older ones.
  constexpr size_t kKeep = 4096;
  if (idx > h->base + 2 * kKeep) {
    size_t drop = idx - h->base - kKeep;
    h->entries.erase(h->entries.begin(), h->entries.begin() + drop);
    h->base += drop;
  }
  return Status::OK();
}

Status Vfs::ReleaseDir(uint64_t fh) {
  if (!handles_.RemoveDir(fh)) return Status::Error(EBADF, "unknown directory handle");
  return Status::OK();
}

}  // namespace slicefs
