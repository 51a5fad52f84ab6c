// Vfs lifecycle and the attribute helpers shared by all operations.
#include "vfs/vfs.h"

#include <spdlog/spdlog.h>

#include <algorithm>


namespace slicefs {

Vfs::Vfs(std::string metaUrl, Meta& meta, DataStore& data)
    : metaUrl_(std::move(metaUrl)), meta_(&meta), data_(&data) {}

Vfs::~Vfs() {
  Status st = data_->FlushAll();
  if (!st.ok()) spdlog::error("flushing buffered writes at shutdown: {}", st.ToString());
}

Status Vfs::FlushAll() { return data_->FlushAll(); }

Attr Vfs::Merge(Ino ino, Attr a) {
  if (a.type != FileType::kFile) return a;
  uint64_t pending = data_->PendingLength(ino);
  if (pending > a.length) a.length = pending;
  if (auto st = handles_.Inode(ino)) {
    std::lock_guard lk(st->mu);
    // `a` may have been read from the metadata just before a background
    // commit of this client's last pending slice, which PendingLength then no
    // longer counts: while this client has unflushed writes, its own view of
    // the length is a lower bound.
    if (st->dirtyMtimeNs != 0 && st->length > a.length) a.length = st->length;
    if (st->dirtyMtimeNs > a.mtimeNs) {
      a.mtimeNs = st->dirtyMtimeNs;
      a.ctimeNs = std::max(a.ctimeNs, st->dirtyMtimeNs);
    }
  }
  return a;
}

bool Vfs::Dirty(Ino ino) {
  if (data_->PendingLength(ino) > 0) return true;
  if (auto st = handles_.Inode(ino)) {
    std::lock_guard lk(st->mu);
    return st->dirtyMtimeNs != 0;
  }
  return false;
}

void Vfs::NoteLength(Ino ino, uint64_t length) {
  if (auto st = handles_.Inode(ino)) {
    std::lock_guard lk(st->mu);
    st->length = length;
  }
}

void Vfs::RememberCached(Ino ino, const Attr& a) {
  std::lock_guard lk(cacheMu_);
  if (cached_.size() > 200000) cached_.clear();
  cached_[ino] = {a.mtimeNs, a.length};
}

bool Vfs::CacheStillValid(Ino ino, const Attr& a) {
  std::lock_guard lk(cacheMu_);
  auto it = cached_.find(ino);
  return it != cached_.end() && it->second == std::make_pair(a.mtimeNs, a.length);
}

Result<Ino> Vfs::HandleIno(uint64_t fh) {
  auto h = handles_.File(fh);
  if (!h) return Err(EBADF, "unknown file handle");
  return h->ino;
}

}  // namespace slicefs
