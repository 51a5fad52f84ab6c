// A Volume is everything one client of a slicefs volume needs, opened from a
// META-URL in one place: the metadata engine, the volume format, the object
// store chain (retry -> compression -> backend), the check that the bucket
// holds this volume (its UUID), the metadata client (Meta), the data layer
// (DataStore) and the Vfs over them. The mount, every CLI command, the
// benchmarks and (later) the gateway open volumes only through it.
//
// Ownership: the Volume owns all parts; references it hands out live as long
// as the Volume. Destruction flushes buffered writes, then tears the parts
// down in dependency order (vfs, data, meta, store). It does not close a
// session: whoever called meta().NewSession() calls CloseSession().
// Threading: the parts are thread-safe; Open/Create are plain functions.
// Errors: one-line Status messages naming what failed (engine, format,
// storage, UUID) and what to do.
#pragma once

#include <memory>
#include <string>

#include "chunk/data_store.h"
#include "common/status.h"
#include "common/volume_format.h"
#include "meta/meta.h"
#include "object/object_store.h"
#include "object/open_store.h"
#include "vfs/vfs.h"

namespace slicefs {

class MetaSlices;

struct VolumeOptions {
  // Read-only inspection or a read-only mount: Meta refuses changes, the data
  // layer does no background compaction.
  bool readOnly = false;
  // false: metadata only (status, config): no object store, no UUID probe,
  // no data layer; store(), data() and vfs() must not be called.
  bool openData = true;
  MetaOptions meta;
  DataOptions data;
  StoreOptions store;
  // With false, a volume on `file` storage gets no disk cache (data.cacheSize
  // is ignored): its blocks are local files already. The mount sets false
  // unless --cache-size was given.
  bool cacheLocalStorage = true;
};

class Volume {
 public:
  // Opens a formatted volume. ENOENT "volume not formatted" when the engine
  // holds none (an sqlite3 database that does not exist is not created).
  static Result<std::unique_ptr<Volume>> Open(const std::string& metaUrl, const VolumeOptions& opts);
  // Formats a new volume: prepares the storage (bucket, UUID object) and
  // writes the format and root into the engine. With force, an existing
  // volume of the same name keeps its UUID and data and gets `fmt`'s
  // settings. Returns the format written (with its UUID).
  static Result<VolumeFormat> Create(const std::string& metaUrl, VolumeFormat fmt, bool force);
  // ---- below the volume: for tools that work on the raw engine or bucket ----
  // The metadata engine alone (dump reads a formatted volume's keys, load
  // fills an empty engine). `mustExist`: an sqlite3 database that does not
  // exist is "volume not formatted" instead of being created.
  static Result<std::unique_ptr<KvStore>> OpenEngine(const std::string& metaUrl, bool mustExist);
  // The object-store chain of `fmt` (metrics, retry, compression, backend);
  // with `plain`, without compression (the UUID object, metadata backups).
  static Result<std::unique_ptr<ObjectStore>> OpenStorage(const VolumeFormat& fmt, bool plain = false,
                                                          const StoreOptions& opts = {});
  // Creates the bucket if needed and writes {volume}/slicefs_uuid (format,
  // and load of a JuiceFS dump whose bucket has none).
  static Status PrepareStorage(const VolumeFormat& fmt);

  // From parts already opened (unit tests): builds the data layer and Vfs.
  static Result<std::unique_ptr<Volume>> FromParts(std::string metaUrl, std::unique_ptr<Meta> meta,
                                                   std::unique_ptr<ObjectStore> store,
                                                   const DataOptions& data);
  ~Volume();
  Volume(const Volume&) = delete;
  Volume& operator=(const Volume&) = delete;

  const VolumeFormat& format() const { return meta_->format(); }
  Meta& meta() { return *meta_; }
  ObjectStore& store() { return *store_; }
  DataStore& data() { return *data_; }
  Vfs& vfs() { return *vfs_; }
  bool hasData() const { return data_ != nullptr; }

 private:
  Volume() = default;
  Status OpenData(std::string metaUrl, const DataOptions& data);

  std::unique_ptr<Meta> meta_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<MetaSlices> slices_;
  std::unique_ptr<DataStore> data_;
  std::unique_ptr<Vfs> vfs_;
};

// Checks that `store` holds volume `fmt` ({volume}/slicefs_uuid equals its
// UUID): ENOENT for a bucket without it, EINVAL for another volume's; for an
// encrypted volume also that its key decrypts the bucket's key check (EACCES).
Status CheckVolumeUuid(ObjectStore& store, const VolumeFormat& fmt);

// Encrypted volumes: parses the format's RSA key with SLICEFS_RSA_PASSPHRASE
// (EACCES, one line, when missing or wrong). OK for other volumes. Open and
// OpenStorage call it first, so every command refuses a wrong passphrase
// before doing anything.
Status UnlockEncryption(const VolumeFormat& fmt);

}  // namespace slicefs
