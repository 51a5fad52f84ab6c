// Wraps an ObjectStore and repeats operations that fail with a retryable
// Status, with exponential backoff and full jitter, a bounded number of times.
// A final error, or the last retryable one, is returned as is (EIO callers
// see after exhausting retries). Thread-safe if the inner store is.
#pragma once

#include <atomic>
#include <memory>

#include "object/object_store.h"

namespace slicefs {

struct RetryOptions {
  int maxAttempts = 10;     // total attempts, >= 1
  int baseDelayMs = 50;     // first backoff ceiling
  int maxDelayMs = 10000;   // backoff ceiling cap
};

class RetryStore : public ObjectStore {
 public:
  // Borrows `inner` (must outlive this).
  RetryStore(ObjectStore* inner, RetryOptions opts) : inner_(inner), opts_(opts) {}
  // Owns `inner`.
  RetryStore(std::unique_ptr<ObjectStore> inner, RetryOptions opts)
      : owned_(std::move(inner)), inner_(owned_.get()), opts_(opts) {}

  std::string describe() const override { return inner_->describe(); }
  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;
  Status create() override;

  uint64_t retries() const { return retries_.load(); }

 private:
  template <class F>
  auto Run(F&& f) -> decltype(f());
  void Backoff(int attempt);
  std::unique_ptr<ObjectStore> owned_;
  ObjectStore* inner_;
  RetryOptions opts_;
  std::atomic<uint64_t> retries_{0};
};

}  // namespace slicefs
