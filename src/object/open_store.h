// Builds the ObjectStore a volume's format describes: the backend for
// `storage` (file, mem, s3) wrapped in
// compression when `compression` is lz4 or zstd. Retries are not added here:
// DataStore wraps its store in a RetryStore with DataOptions::ioRetries.
//
// `mem` stores are shared per process by bucket name, so a test can format
// and later mount the same in-memory bucket.
#pragma once

#include <memory>

#include "meta/format.h"
#include "object/object_store.h"

namespace slicefs {

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const VolumeFormat& fmt);

// The directory a `file` bucket resolves to ("~" expanded; empty bucket ->
// ~/.slicefs/local).
std::string FileBucketPath(const std::string& bucket);

}  // namespace slicefs
