// Vfs lifecycle and the attribute helpers shared by all operations.
#include "vfs/vfs.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kv/kv.h"
#include "object/open_store.h"
#include "object/storage_setup.h"

namespace slicefs {

Result<std::unique_ptr<Vfs>> Vfs::Open(const std::string& metaUrl, const VfsOptions& opts) {
  auto kv = OpenKvStore(metaUrl);
  if (!kv) return Err(kv.error().code(), "metadata engine: " + kv.error().message());
  auto fmt = Meta::LoadFormat(**kv);
  if (!fmt) {
    if (fmt.error().is(ENOENT)) return Err(ENOENT, "volume not formatted at " + metaUrl +
                                                       " (run `slicefs format` first)");
    return Err(fmt.error().code(), "reading volume format: " + fmt.error().message());
  }
  auto store = OpenObjectStore(*fmt);
  if (!store) return Err(store.error().code(), "storage unreachable: " + store.error().message());
  // Probe the storage so that an unreachable or wrong bucket fails the
  // mount now, with a clear reason, rather than every later read. `format`
  // wrote {volume}/slicefs_uuid (uncompressed) holding the volume's UUID.
  {
    VolumeFormat plainFmt = *fmt;
    plainFmt.compression = "none";
    auto plain = OpenObjectStore(plainFmt);
    if (!plain) return Err(plain.error().code(), "storage unreachable: " + plain.error().message());
    std::string key = UuidObjectKey(fmt->name);
    auto uuid = (*plain)->get(key);
    if (!uuid) {
      if (uuid.error().is(ENOENT)) {
        return Err(ENOENT, "storage " + (*store)->describe() + " does not hold volume '" +
                               fmt->name + "' (no " + key + "): wrong bucket or storage unreachable");
      }
      return Err(uuid.error().code(),
                 "storage unreachable (" + (*store)->describe() + "): " + uuid.error().message());
    }
    std::string have = *uuid;
    while (!have.empty() && (have.back() == '\n' || have.back() == ' ')) have.pop_back();
    if (have != fmt->uuid) {
      return Err(EINVAL, "storage " + (*store)->describe() + " holds another volume named '" +
                             fmt->name + "' (uuid " + have + ", expected " + fmt->uuid + ")");
    }
  }
  DataOptions dataOpts = opts.data;
  if (fmt->storage == "file" && !opts.cacheLocalStorage) dataOpts.cacheSize = 0;
  // One cache directory per volume under the given one.
  if (!dataOpts.cacheDir.empty()) dataOpts.cacheDir += "/" + fmt->uuid;
  auto meta = Meta::Open(std::move(*kv), opts.meta);
  if (!meta) return Err(meta.error().code(), "opening metadata: " + meta.error().message());
  auto data = DataStore::Open(meta->get(), store->get(), dataOpts);
  if (!data) return Err(data.error().code(), "opening data store: " + data.error().message());
  return std::make_unique<Vfs>(metaUrl, std::move(*meta), std::move(*store), std::move(*data));
}

Vfs::Vfs(std::string metaUrl, std::unique_ptr<Meta> meta, std::unique_ptr<ObjectStore> store,
         std::unique_ptr<DataStore> data)
    : metaUrl_(std::move(metaUrl)),
      meta_(std::move(meta)),
      store_(std::move(store)),
      data_(std::move(data)) {}

Vfs::~Vfs() {
  if (data_) {
    Status st = data_->FlushAll();
    if (!st.ok()) spdlog::error("flushing buffered writes at shutdown: {}", st.ToString());
  }
  // The data store borrows meta and store: destroy it first.
  data_.reset();
  meta_.reset();
  store_.reset();
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
