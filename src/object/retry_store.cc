#include "object/retry_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace slicefs {

namespace {
bool Retryable(const Status& s) { return s.retryable(); }
template <class T>
bool Retryable(const Result<T>& r) { return !r.has_value() && r.error().retryable(); }
}  // namespace

void RetryStore::Backoff(int attempt) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t ceiling = static_cast<int64_t>(opts_.baseDelayMs) << std::min(attempt, 20);
  ceiling = std::min<int64_t>(ceiling, opts_.maxDelayMs);
  std::uniform_int_distribution<int64_t> dist(ceiling / 2, std::max<int64_t>(ceiling, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(dist(rng)));
}

template <class F>
auto RetryStore::Run(F&& f) -> decltype(f()) {
  int attempts = std::max(1, opts_.maxAttempts);
  for (int i = 0;; i++) {
    auto r = f();
    if (!Retryable(r) || i + 1 >= attempts) return r;
    retries_++;
    Backoff(i);
  }
}

Status RetryStore::put(const std::string& key, std::span<const char> data) {
  return Run([&] { return inner_->put(key, data); });
}
Result<std::string> RetryStore::get(const std::string& key, uint64_t off, int64_t len) {
  return Run([&] { return inner_->get(key, off, len); });
}
Status RetryStore::del(const std::string& key) {
  return Run([&] { return inner_->del(key); });
}
Result<ObjectInfo> RetryStore::head(const std::string& key) {
  return Run([&] { return inner_->head(key); });
}
Result<ListPage> RetryStore::list(const std::string& prefix, const std::string& startAfter,
                                  size_t limit) {
  return Run([&] { return inner_->list(prefix, startAfter, limit); });
}
Status RetryStore::create() {
  return Run([&] { return inner_->create(); });
}

}  // namespace slicefs
