// An in-memory ObjectStore for unit tests and `--storage mem`.
//
// Thread-safe. Objects live as long as the MemStore. Ranged gets, sorted
// paginated listing and ENOENT for missing keys behave like the file store.
// An optional per-put delay and fault injection help tests of the data path.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

#include "object/object_store.h"

namespace slicefs {

class MemStore : public ObjectStore {
 public:
  explicit MemStore(std::string name = "mem") : name_(std::move(name)) {}

  std::string describe() const override { return "mem://" + name_; }
  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;
  Status create() override { return Status::OK(); }

  // Test hooks. `hook` runs before every operation with its name ("put",
  // "get", "del", "head", "list") and key; a non-OK result fails the call.
  void SetHook(std::function<Status(const char* op, const std::string& key)> hook);
  size_t Count() const;
  uint64_t puts() const { return puts_.load(); }
  uint64_t gets() const { return gets_.load(); }

 private:
  Status RunHook(const char* op, const std::string& key);
  const std::string name_;
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, int64_t>> objects_;  // key -> (data, mtime)
  std::function<Status(const char*, const std::string&)> hook_;
  std::atomic<uint64_t> puts_{0}, gets_{0};
};

}  // namespace slicefs
