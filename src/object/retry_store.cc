#include "object/retry_store.h"

namespace slicefs {

Status RetryStore::put(const std::string& key, std::span<const char> data) {
  return RunWithRetry(opts_, [&] { return inner().put(key, data); }, &retries_);
}
Result<std::string> RetryStore::get(const std::string& key, uint64_t off, int64_t len) {
  return RunWithRetry(opts_, [&] { return inner().get(key, off, len); }, &retries_);
}
Status RetryStore::del(const std::string& key) {
  return RunWithRetry(opts_, [&] { return inner().del(key); }, &retries_);
}
Result<ObjectInfo> RetryStore::head(const std::string& key) {
  return RunWithRetry(opts_, [&] { return inner().head(key); }, &retries_);
}
Result<ListPage> RetryStore::list(const std::string& prefix, const std::string& startAfter,
                                  size_t limit) {
  return RunWithRetry(opts_, [&] { return inner().list(prefix, startAfter, limit); }, &retries_);
}
Status RetryStore::create() {
  return RunWithRetry(opts_, [&] { return inner().create(); }, &retries_);
}

}  // namespace slicefs
