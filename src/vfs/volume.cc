#include "vfs/volume.h"

#include <spdlog/spdlog.h>

#include "common/url.h"
#include "kv/kv.h"
#include "object/aead.h"
#include "object/open_store.h"
#include "object/rsa_key.h"
#include "object/storage_setup.h"
#include "vfs/meta_slices.h"

namespace slicefs {

Result<std::unique_ptr<KvStore>> Volume::OpenEngine(const std::string& metaUrl, bool mustExist) {
  auto kv = OpenKvStore(metaUrl, KvOpenOptions{.create = !mustExist});
  if (kv) return kv;
  if (mustExist && kv.error().is(ENOENT)) {
    return Err(ENOENT, "volume not formatted: " + kv.error().message() + " (run `slicefs format` first)");
  }
  return Err(kv.error().code(), "metadata engine: " + kv.error().message());
}

Result<std::unique_ptr<ObjectStore>> Volume::OpenStorage(const VolumeFormat& fmt, bool plain,
                                                         const StoreOptions& opts) {
  RETURN_IF_ERROR(UnlockEncryption(fmt));
  if (!plain) return OpenObjectStore(fmt, opts);
  VolumeFormat p = fmt;
  p.compression = "none";
  return OpenObjectStore(p, opts);
}

Status Volume::PrepareStorage(const VolumeFormat& fmt) { return slicefs::PrepareStorage(fmt); }

// ---- encryption at rest ----
Status UnlockEncryption(const VolumeFormat& fmt) {
  if (fmt.encryptKey.empty()) return Status::OK();
  auto key = LoadVolumeKey(fmt.encryptKey);
  return key ? Status::OK() : key.error();
}

namespace {
// The disk cache's key: derived from the private key (never stored), so
// only a client that unlocked the volume reads its cache, across remounts.
Status SetCacheKey(const VolumeFormat& fmt, DataOptions* data) {
  if (fmt.encryptKey.empty() || data->cacheDir.empty()) return Status::OK();
  ASSIGN_OR_RETURN(auto key, LoadVolumeKey(fmt.encryptKey));
  ASSIGN_OR_RETURN(data->cacheSealAlgo, ParseEncryptAlgo(fmt.encryptAlgo));
  ASSIGN_OR_RETURN(data->cacheSealKey, key->DeriveKey(fmt.uuid, "slicefs disk cache v1"));
  return Status::OK();
}

// `format --force` keeps the encryption of an existing volume: its blocks
// are encrypted with that key.
Status CheckSameEncryption(const VolumeFormat& old, const VolumeFormat& now) {
  if (old.encryptKey.empty() && now.encryptKey.empty()) return Status::OK();
  if (old.encryptKey.empty())
    return Status::Error(EINVAL, "volume '" + old.name + "' is not encrypted; encryption is chosen at the first format");
  if (now.encryptKey.empty() || old.encryptAlgo != now.encryptAlgo)
    return Status::Error(EINVAL, "volume '" + old.name + "' is encrypted with " + old.encryptAlgo +
                                     ": pass the same --encrypt-rsa-key and --encrypt-algo");
  ASSIGN_OR_RETURN(auto a, LoadVolumeKey(old.encryptKey));
  ASSIGN_OR_RETURN(auto b, LoadVolumeKey(now.encryptKey));
  if (a->fingerprint() != b->fingerprint())
    return Status::Error(EINVAL, "volume '" + old.name + "' is encrypted with another RSA key; its key cannot change");
  return Status::OK();
}
}  // namespace

Status CheckVolumeUuid(ObjectStore& store, const VolumeFormat& fmt) {
  const std::string key = UuidObjectKey(fmt.name);
  auto uuid = store.get(key);
  if (!uuid) {
    if (uuid.error().is(ENOENT)) {
      return Status::Error(ENOENT, "storage " + store.describe() + " does not hold volume '" + fmt.name +
                                       "' (no " + key + "): wrong bucket or storage unreachable");
    }
    return Status::Error(uuid.error().code(),
                         "storage unreachable (" + store.describe() + "): " + uuid.error().message());
  }
  std::string have = *uuid;
  while (!have.empty() && (have.back() == '\n' || have.back() == ' ')) have.pop_back();
  if (have != fmt.uuid) {
    return Status::Error(EINVAL, "storage " + store.describe() + " holds another volume named '" + fmt.name +
                                     "' (uuid " + have + ", expected " + fmt.uuid + ")");
  }
  return CheckVolumeKey(store, fmt);  // encrypted volumes: the key is the bucket's
}

Result<std::unique_ptr<Volume>> Volume::Open(const std::string& metaUrl, const VolumeOptions& opts) {
  ASSIGN_OR_RETURN(auto kv, OpenEngine(metaUrl, /*mustExist=*/true));
  auto fmt = Meta::LoadFormat(*kv);
  if (!fmt) {
    if (fmt.error().is(ENOENT)) {
      return Err(ENOENT, "volume not formatted at " + RedactedUrl(metaUrl) + " (run `slicefs format` first)");
    }
    return Err(fmt.error().code(), "reading volume format: " + fmt.error().message());
  }
  std::unique_ptr<Volume> v(new Volume());
  std::unique_ptr<ObjectStore> store;
  if (opts.openData) {
    RETURN_IF_ERROR(UnlockEncryption(*fmt));  // wrong passphrase: one line, before anything else
    auto s = OpenObjectStore(*fmt, opts.store);
    if (!s) return Err(s.error().code(), "storage unreachable: " + s.error().message());
    store = std::move(*s);
    // Probe the storage so that an unreachable or wrong bucket fails now,
    // with a clear reason, rather than every later read. `format` wrote
    // {volume}/slicefs_uuid uncompressed, so it is read below compression.
    VolumeFormat plainFmt = *fmt;
    plainFmt.compression = "none";
    auto plain = OpenObjectStore(plainFmt, opts.store);
    if (!plain) return Err(plain.error().code(), "storage unreachable: " + plain.error().message());
    RETURN_IF_ERROR(CheckVolumeUuid(**plain, *fmt));
  }
  MetaOptions mo = opts.meta;
  mo.readOnly = mo.readOnly || opts.readOnly;
  auto meta = Meta::Open(std::move(kv), mo);
  if (!meta) return Err(meta.error().code(), "opening metadata: " + meta.error().message());
  v->meta_ = std::move(*meta);
  if (!opts.openData) return v;
  v->store_ = std::move(store);
  DataOptions data = opts.data;
  if (opts.readOnly) data.compactInBackground = false;
  if (v->format().storage == "file" && !opts.cacheLocalStorage) data.cacheSize = 0;
  // One cache directory per volume under the given one.
  if (!data.cacheDir.empty()) data.cacheDir += "/" + v->format().uuid;
  RETURN_IF_ERROR(SetCacheKey(v->format(), &data));
  RETURN_IF_ERROR(v->OpenData(metaUrl, data));
  return v;
}

Result<std::unique_ptr<Volume>> Volume::FromParts(std::string metaUrl, std::unique_ptr<Meta> meta,
                                                  std::unique_ptr<ObjectStore> store, const DataOptions& data) {
  if (!meta || !store) return Err(EINVAL, "a volume needs a Meta and an ObjectStore");
  std::unique_ptr<Volume> v(new Volume());
  v->meta_ = std::move(meta);
  v->store_ = std::move(store);
  RETURN_IF_ERROR(v->OpenData(std::move(metaUrl), data));
  return v;
}

Status Volume::OpenData(std::string metaUrl, const DataOptions& data) {
  slices_ = std::make_unique<MetaSlices>(*meta_);
  auto ds = DataStore::Open(slices_.get(), store_.get(), data);
  if (!ds) return Status::Error(ds.error().code(), "opening data store: " + ds.error().message());
  data_ = std::move(*ds);
  vfs_ = std::make_unique<Vfs>(std::move(metaUrl), *meta_, *data_);
  return Status::OK();
}

Result<VolumeFormat> Volume::Create(const std::string& metaUrl, VolumeFormat fmt, bool force) {
  RETURN_IF_ERROR(fmt.Validate());
  if (fmt.uuid.empty()) fmt.uuid = GenerateUuid();
  ASSIGN_OR_RETURN(auto kv, OpenEngine(metaUrl, /*mustExist=*/false));
  auto existing = Meta::LoadFormat(*kv);
  if (existing) {
    if (!force) {
      return Err(EEXIST, "volume '" + existing->name +
                             "' is already formatted in this database (use --force to update its settings)");
    }
    if (existing->name != fmt.name) {
      return Err(EEXIST, "the database holds volume '" + existing->name + "', not '" + fmt.name + "'");
    }
    fmt.uuid = existing->uuid;
    Status enc = CheckSameEncryption(*existing, fmt);
    if (!enc.ok()) return Err(enc.code(), "refusing --force: " + enc.message());
  } else if (!existing.error().is(ENOENT)) {
    return Err(existing.error().code(), "reading the existing format: " + existing.error().message());
  }
  Status st = slicefs::PrepareStorage(fmt);
  if (!st.ok()) return Err(st.code(), "preparing storage: " + st.message());
  st = Meta::Format(*kv, fmt, force);
  if (!st.ok()) return Err(st.code(), "formatting: " + st.message());
  return fmt;
}

Volume::~Volume() {
  if (data_) {
    Status st = data_->FlushAll();
    if (!st.ok()) spdlog::error("flushing buffered writes at shutdown: {}", st.ToString());
  }
  // Each part borrows the ones below it: tear down from the top.
  vfs_.reset();
  data_.reset();
  slices_.reset();
  meta_.reset();
  store_.reset();
}

}  // namespace slicefs
