// Builds the object-store chain a volume's format describes, outermost
// first: metrics -> retry -> compression (lz4, zstd) -> encryption (a
// volume with encryptKey; encrypt_store.h) -> backend (file, mem, s3).
// Retries: the S3 backend retries each request itself (a fresh signature per
// attempt, `io-retries` from the bucket URL, default 10), so no retry layer
// is added over it; `file` gets a RetryStore with StoreOptions::ioRetries;
// `mem` never fails retryably. Either way one policy (common/retry.h) and
// io-retries=N means exactly N+1 attempts.
//
// `mem` stores are shared per process by bucket name, so a test can format
// and later mount the same in-memory bucket.
#pragma once

#include <memory>

#include "common/volume_format.h"
#include "object/retry_store.h"
#include "object/object_store.h"

namespace slicefs {

struct StoreOptions {
  int ioRetries = 10;  // retries after the first attempt (file storage)
  bool metrics = true; // count requests into MetricsRegistry::Global()
};

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const VolumeFormat& fmt,
                                                     const StoreOptions& opts = {});

// The directory a `file` bucket resolves to ("~" expanded; empty bucket ->
// ~/.slicefs/local).
std::string FileBucketPath(const std::string& bucket);

}  // namespace slicefs
