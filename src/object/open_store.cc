#include "object/open_store.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "common/paths.h"
#include "object/compress_store.h"
#include "object/encrypt_store.h"
#include "object/file_store.h"
#include "object/metrics_store.h"
#include "object/mem_store.h"
#include "object/store_wrapper.h"
#include "object/s3_store.h"
#include "object/storage_setup.h"

namespace slicefs {

namespace {

// Forwards to a shared MemStore so every open of one mem bucket sees the same objects.
class SharedMemStore : public ObjectStoreWrapper {
 public:
  explicit SharedMemStore(std::shared_ptr<MemStore> s) : ObjectStoreWrapper(s.get()), s_(std::move(s)) {}
  Status create() override { return Status::OK(); }

 private:
  std::shared_ptr<MemStore> s_;  // keeps the borrowed store alive
};

std::shared_ptr<MemStore> MemBucket(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<MemStore>> buckets;
  std::lock_guard lk(mu);
  auto& s = buckets[name];
  if (!s) s = std::make_shared<MemStore>(name);
  return s;
}

}  // namespace

std::string FileBucketPath(const std::string& bucket) {
  std::string b = bucket;
  const std::string h = HomeDir();
  if (b.empty()) b = DefaultFileBucket();
  if (b.rfind("file://", 0) == 0) b = b.substr(7);
  if (b == "~") b = h;
  else if (b.rfind("~/", 0) == 0) b = h + b.substr(1);
  return b;
}

namespace {
Result<std::unique_ptr<ObjectStore>> Compressed(const VolumeFormat& fmt, std::unique_ptr<ObjectStore> base);
Result<std::unique_ptr<ObjectStore>> Encrypted(const VolumeFormat& fmt, std::unique_ptr<ObjectStore> base);
}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const VolumeFormat& fmt, const StoreOptions& opts) {
  std::unique_ptr<ObjectStore> base;
  bool retryHere = false;
  if (fmt.storage == "file") {
    base = std::make_unique<FileStore>(FileBucketPath(fmt.bucket));
    retryHere = true;
  } else if (fmt.storage == "mem") {
    base = std::make_unique<SharedMemStore>(MemBucket(fmt.bucket));
  } else if (fmt.storage == "s3") {
    // S3Store retries retryable failures itself (see the header).
    ASSIGN_OR_RETURN(auto s3, OpenS3Store(fmt));
    base = std::move(s3);
  } else {
    return Err(EINVAL, "unknown storage '" + fmt.storage + "' (expected file, s3 or mem)");
  }
  // Compressed, then encrypted: compression sits above encryption.
  ASSIGN_OR_RETURN(auto sealed, Encrypted(fmt, std::move(base)));
  ASSIGN_OR_RETURN(auto chain, Compressed(fmt, std::move(sealed)));
  if (retryHere) {
    RetryPolicy policy;
    policy.maxAttempts = std::max(opts.ioRetries, 0) + 1;
    chain = std::make_unique<RetryStore>(std::move(chain), policy);
  }
  if (opts.metrics) chain = std::make_unique<MetricsStore>(std::move(chain));
  return chain;
}

namespace {
Result<std::unique_ptr<ObjectStore>> Compressed(const VolumeFormat& fmt, std::unique_ptr<ObjectStore> base) {
  if (fmt.compression == "lz4") {
    return std::unique_ptr<ObjectStore>(
        std::make_unique<CompressStore>(std::move(base), CompressStore::Algo::kLz4));
  }
  if (fmt.compression == "zstd") {
    return std::unique_ptr<ObjectStore>(
        std::make_unique<CompressStore>(std::move(base), CompressStore::Algo::kZstd));
  }
  if (!fmt.compression.empty() && fmt.compression != "none") {
    return Err(EINVAL, "unknown compression '" + fmt.compression + "' (expected none, lz4 or zstd)");
  }
  return base;
}

// Encryption at rest (encrypt_store.h); the UUID object stays readable
// without the key so that a bucket's volume is identified before unlocking.
Result<std::unique_ptr<ObjectStore>> Encrypted(const VolumeFormat& fmt, std::unique_ptr<ObjectStore> base) {
  if (fmt.encryptKey.empty()) return base;
  ASSIGN_OR_RETURN(AeadAlgo algo, ParseEncryptAlgo(fmt.encryptAlgo));
  ASSIGN_OR_RETURN(auto key, LoadVolumeKey(fmt.encryptKey));
  return std::unique_ptr<ObjectStore>(std::make_unique<EncryptStore>(
      std::move(base), std::move(key), algo,
      EncryptOptions{.clearKeys = {UuidObjectKey(fmt.name)}, .quietKeys = {KeyCheckObjectKey(fmt.name)}}));
}
}  // namespace

}  // namespace slicefs
