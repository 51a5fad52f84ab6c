#include "object/metrics_store.h"

namespace slicefs {

MetricsStore::MetricsStore(std::unique_ptr<ObjectStore> inner, MetricsRegistry& r)
    : ObjectStoreWrapper(std::move(inner)),
      put_(Make(r, "PUT")),
      get_(Make(r, "GET")),
      del_(Make(r, "DELETE")),
      head_(Make(r, "HEAD")),
      list_(Make(r, "LIST")) {}

MetricsStore::Method MetricsStore::Make(MetricsRegistry& r, const char* name) {
  const MetricLabels l{{"method", name}};
  return Method{&r.counter("slicefs_object_requests_total", "Object-store requests", l),
                &r.counter("slicefs_object_request_errors_total", "Object-store requests that failed", l),
                &r.counter("slicefs_object_request_bytes_total", "Object bytes sent (PUT) or received (GET)", l),
                &r.histogram("slicefs_object_request_duration_seconds", "Object-store request latency", l)};
}

namespace {
bool Failed(const Status& s) { return !s.ok() && !s.is(ENOENT); }
template <class T>
bool Failed(const Result<T>& r) { return !r.has_value() && !r.error().is(ENOENT); }
}  // namespace

Status MetricsStore::put(const std::string& key, std::span<const char> data) {
  Status st;
  {
    Histogram::Timer t(*put_.latency);
    st = inner().put(key, data);
  }
  put_.requests->Add();
  if (Failed(st)) put_.errors->Add();
  else put_.bytes->Add(data.size());
  return st;
}

Result<std::string> MetricsStore::get(const std::string& key, uint64_t off, int64_t len) {
  Result<std::string> r;
  {
    Histogram::Timer t(*get_.latency);
    r = inner().get(key, off, len);
  }
  get_.requests->Add();
  if (Failed(r)) get_.errors->Add();
  else if (r) get_.bytes->Add(r->size());
  return r;
}

Status MetricsStore::del(const std::string& key) {
  Status st;
  {
    Histogram::Timer t(*del_.latency);
    st = inner().del(key);
  }
  del_.requests->Add();
  if (Failed(st)) del_.errors->Add();
  return st;
}

Result<ObjectInfo> MetricsStore::head(const std::string& key) {
  Result<ObjectInfo> r;
  {
    Histogram::Timer t(*head_.latency);
    r = inner().head(key);
  }
  head_.requests->Add();
  if (Failed(r)) head_.errors->Add();
  return r;
}

Result<ListPage> MetricsStore::list(const std::string& prefix, const std::string& startAfter, size_t limit) {
  Result<ListPage> r;
  {
    Histogram::Timer t(*list_.latency);
    r = inner().list(prefix, startAfter, limit);
  }
  list_.requests->Add();
  if (Failed(r)) list_.errors->Add();
  return r;
}

}  // namespace slicefs
