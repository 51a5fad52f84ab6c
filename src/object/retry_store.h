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

  // Every call of the interface, each attempt through the inner store.
  Status put(const std::string& k, std::span<const char> d) override { return Retry([&] { return inner().put(k, d); }); }
  Result<std::string> get(const std::string& k, uint64_t off = 0, int64_t len = -1) override {
    return Retry([&] { return inner().get(k, off, len); });
  }
  Status del(const std::string& k) override { return Retry([&] { return inner().del(k); }); }
  Result<ObjectInfo> head(const std::string& k) override { return Retry([&] { return inner().head(k); }); }
  Result<ListPage> list(const std::string& p, const std::string& after, size_t n) override {
    return Retry([&] { return inner().list(p, after, n); });
  }
  Status create() override { return Retry([&] { return inner().create(); }); }

  uint64_t retries() const { return retries_.load(); }

 private:
  template <class F>
  auto Retry(F&& f) -> decltype(f()) {
    return RunWithRetry(opts_, std::forward<F>(f), &retries_);
  }
  RetryPolicy opts_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace slicefs
