#include "vfs/handles.h"

#include <fcntl.h>

namespace slicefs {

bool FileHandle::append() const { return (flags & O_APPEND) != 0; }

uint64_t HandleTable::AddFile(Ino ino, int flags, uint64_t length) {
  auto h = std::make_shared<FileHandle>();
  h->ino = ino;
  h->flags = flags;
  std::lock_guard lk(mu_);
  auto& st = inodes_[ino];
  if (!st) {
    st = std::make_shared<InodeState>();
    std::lock_guard ilk(st->mu);
    st->length = length;
  } else {
    // A fresh open sees the committed length (close-to-open), plus any of
    // our own writes that are still buffered.
    std::lock_guard ilk(st->mu);
    if (st->dirtyMtimeNs == 0) st->length = length;
    else if (length > st->length) st->length = length;
  }
  st->opens++;
  h->inode = st;
  uint64_t fh = next_++;
  files_[fh] = std::move(h);
  return fh;
}

uint64_t HandleTable::AddDir(Ino ino) {
  auto h = std::make_shared<DirHandle>();
  h->ino = ino;
  std::lock_guard lk(mu_);
  uint64_t fh = next_++;
  dirs_[fh] = std::move(h);
  return fh;
}

std::shared_ptr<FileHandle> HandleTable::File(uint64_t fh) const {
  std::lock_guard lk(mu_);
  auto it = files_.find(fh);
  return it == files_.end() ? nullptr : it->second;
}

std::shared_ptr<DirHandle> HandleTable::Dir(uint64_t fh) const {
  std::lock_guard lk(mu_);
  auto it = dirs_.find(fh);
  return it == dirs_.end() ? nullptr : it->second;
}

std::shared_ptr<FileHandle> HandleTable::RemoveFile(uint64_t fh) {
  std::lock_guard lk(mu_);
  auto it = files_.find(fh);
  if (it == files_.end()) return nullptr;
  auto h = std::move(it->second);
  files_.erase(it);
  auto st = inodes_.find(h->ino);
  if (st != inodes_.end() && --st->second->opens <= 0) inodes_.erase(st);
  return h;
}

bool HandleTable::RemoveDir(uint64_t fh) {
  std::lock_guard lk(mu_);
  return dirs_.erase(fh) > 0;
}

std::shared_ptr<InodeState> HandleTable::Inode(Ino ino) const {
  std::lock_guard lk(mu_);
  auto it = inodes_.find(ino);
  return it == inodes_.end() ? nullptr : it->second;
}

size_t HandleTable::Count() const {
  std::lock_guard lk(mu_);
  return files_.size() + dirs_.size();
}

}  // namespace slicefs
