// Wraps an ObjectStore and repeats operations that fail with a retryable
// Status under the project's retry policy (common/retry.h). A final error is
// returned as is; once the policy is spent, a final EIO that says how often
// it tried (or, with maxAttempts 1, the retryable error itself).
// Thread-safe if the inner store is.
#pragma once

#include <atomic>
#include <memory>

#include "common/retry.h"
#include "object/object_store.h"
#include "object/store_wrapper.h"

namespace slicefs {

class RetryStore : public ObjectStoreWrapper {
 public:
  // Borrows `inner` (must outlive this).
  RetryStore(ObjectStore* inner, RetryPolicy opts) : ObjectStoreWrapper(inner), opts_(opts) {}
  // Owns `inner`.
  RetryStore(std::unique_ptr<ObjectStore> inner, RetryPolicy opts)
      : ObjectStoreWrapper(std::move(inner)), opts_(opts) {}

  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;
  Status create() override;

  uint64_t retries() const { return retries_.load(); }

 private:
  RetryPolicy opts_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace slicefs
