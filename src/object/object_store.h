// The object-store interface: the only thing a storage backend implements.
// slicefs writes each object once and never modifies it.
//
// Errors: ENOENT for a missing object; Status::retryable() is true for
// failures that repeating can fix (throttling, timeouts, 5xx, connection
// resets) and false for final ones (bad credentials, missing bucket).
// All methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t mtimeNs = 0;
};

struct ListPage {
  std::vector<ObjectInfo> objects;  // ascending by key
  bool truncated = false;           // more keys follow the last one returned
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // Human-readable description, e.g. "file:///data/bucket" (no secrets).
  virtual std::string describe() const = 0;
  // Stores `data` under `key` atomically: a reader sees all of it or nothing.
  virtual Status put(const std::string& key, std::span<const char> data) = 0;
  // Reads `len` bytes from `off` (len < 0: to the end). A range past the end
  // returns the bytes that exist (possibly none).
  virtual Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) = 0;
  // Deletes `key`; deleting a missing key is OK.
  virtual Status del(const std::string& key) = 0;
  virtual Result<ObjectInfo> head(const std::string& key) = 0;
  // Keys starting with `prefix` and greater than `startAfter`, ascending, at most `limit`.
  virtual Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) = 0;
  // Creates the bucket/directory if missing (used by `format`).
  virtual Status create() = 0;
  // ---- durability (fsync of a file) ----
  // Makes every put that has returned survive a crash of the machine. The
  // default does nothing: a backend whose put is durable when it returns
  // (S3, mem). `file` defers that for block objects (FileStore).
  virtual Status sync() { return Status::OK(); }
};

}  // namespace slicefs
