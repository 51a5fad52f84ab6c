// The outermost object-store wrapper: counts every request by method
// (PUT, GET, DELETE, HEAD, LIST), its bytes, errors and latency into the
// process's MetricsRegistry (common/metrics.h):
//   slicefs_object_requests_total{method}
//   slicefs_object_request_errors_total{method}
//   slicefs_object_request_bytes_total{method}     (PUT: sent, GET: received)
//   slicefs_object_request_duration_seconds{method} (histogram)
// A request retried below this wrapper counts once, with its total time.
// A missing object (ENOENT) is an answer, not an error.
// Thread-safe if the inner store is; recording takes no lock.
#pragma once

#include <memory>

#include "common/metrics.h"
#include "object/object_store.h"
#include "object/store_wrapper.h"

namespace slicefs {

class MetricsStore : public ObjectStoreWrapper {
 public:
  MetricsStore(std::unique_ptr<ObjectStore> inner, MetricsRegistry& registry = MetricsRegistry::Global());

  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;

 private:
  struct Method {
    Counter* requests;
    Counter* errors;
    Counter* bytes;
    Histogram* latency;
  };
  Method Make(MetricsRegistry& r, const char* name);
  Method put_, get_, del_, head_, list_;
};

}  // namespace slicefs
