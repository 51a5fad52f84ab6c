#include "gateway/server.h"

#include <cstdio>
#include <ctime>

#include "common/metrics.h"
#include "gateway/call.h"

namespace slicefs::gateway {

Gateway::Gateway(PathFs& fs, std::string volumeName, ServerOptions opts, service::Inflight* inflight,
                 service::RequestMetrics* metrics)
    : s3_(fs, std::move(volumeName), opts.gw), mp_(s3_), auth_(opts.accessKey, opts.secretKey, opts.maxSkewSec),
      opts_(std::move(opts)), inflight_(inflight), metrics_(metrics) {}

Gateway::~Gateway() {
  auto& r = MetricsRegistry::Global();
  for (const char* n : {"slicefs_gateway_errors_total", "slicefs_gateway_auth_failures_total"})
    r.removeFn(n, {});
}

namespace {

void RegisterStatsFns(const GatewayStats* st) {
  auto& r = MetricsRegistry::Global();
  r.counterFn("slicefs_gateway_errors_total", "S3 requests answered with an error", {},
              [st] { return double(st->errors.load()); });
  r.counterFn("slicefs_gateway_auth_failures_total", "S3 requests refused by authentication", {},
              [st] { return double(st->authFailures.load()); });
}

}  // namespace

void Gateway::Install(httplib::Server& srv) {
  RegisterStatsFns(&stats_);
  const std::string all = "/.*";
  auto plain = [this](const httplib::Request& req, httplib::Response& res) {
    Call c{req, res, nullptr, stats_, {}, {}, {}, {}, {}, false, {}};
    Handle(c);
  };
  auto withBody = [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
    Call c{req, res, &rd, stats_, {}, {}, {}, {}, {}, false, {}};
    Handle(c);
  };
  srv.Get(all, plain);
  srv.Put(all, withBody);
  srv.Post(all, withBody);
  srv.Delete(all, plain);
  srv.Delete(all, withBody);
  srv.Options(all, plain);
  srv.set_payload_max_length(std::numeric_limits<size_t>::max());
  // httplib's default closes a connection after 5 requests: clients would
  // pay a new TCP (and TLS) handshake every few objects.
  srv.set_keep_alive_max_count(100000);
  srv.set_tcp_nodelay(true);
}

void Gateway::Handle(Call& c) {
  stats_.requests++;
  c.end = std::make_shared<RequestEnd>();
  c.end->inflight = inflight_;
  c.end->metrics = metrics_;
  c.end->method = c.req.method;
  struct SetStatus {
    Call& c;
    ~SetStatus() { c.end->status = c.res.status; }
  } setStatus{c};
  if (inflight_) {
    c.end->guard = inflight_->Enter();
    if (!c.end->guard) {
      c.res.set_header("Connection", "close");
      c.Error(MakeError("ServiceUnavailable"));
      return;
    }
  }
  char id[32];
  std::snprintf(id, sizeof(id), "%016llX", static_cast<unsigned long long>(nextId_++));
  c.requestId = id;
  c.res.set_header("x-amz-request-id", c.requestId);
  c.res.set_header("Server", "slicefs");
  // Ranges are answered here (S3 semantics), not by httplib.
  const_cast<httplib::Request&>(c.req).ranges.clear();
  c.view.method = c.req.method;
  c.view.path = c.req.path.empty() ? "/" : c.req.path;
  for (const auto& [k, v] : c.req.params) c.view.query.emplace_back(k, v);
  for (const auto& [k, v] : c.req.headers) c.view.headers.emplace_back(k, v);
  c.auth = auth_.Verify(c.view, static_cast<int64_t>(::time(nullptr)));
  if (!c.auth.error.ok()) {
    stats_.authFailures++;
    c.Error(c.auth.error);
    if (c.reader) c.res.set_header("Connection", "close");
    return;
  }
  std::string_view p = c.view.path;
  p.remove_prefix(1);
  size_t slash = p.find('/');
  c.bucket = std::string(p.substr(0, slash));
  if (slash != std::string_view::npos) c.key = std::string(p.substr(slash + 1));
  try {
    Dispatch(c);
  } catch (const std::exception& e) {
    c.Error(MakeError("InternalError", e.what()));
  }
  // A body left unread would be parsed as the next request: close instead.
  // While draining, connections are closed after their request.
  if ((c.reader && !c.bodyRead) || (inflight_ && inflight_->draining())) c.res.set_header("Connection", "close");
}

void Gateway::Dispatch(Call& c) {
  const std::string& m = c.req.method;
  if (c.bucket.empty()) {
    if (m == "GET") return ListBuckets(c);
    return c.Error(MakeError("MethodNotAllowed"));
  }
  if (c.key.empty()) return BucketOp(c);
  return ObjectOp(c);
}

}  // namespace slicefs::gateway
