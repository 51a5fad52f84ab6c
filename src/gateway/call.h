// Internal to the gateway's HTTP front end: one request in flight (Call)
// and the helpers the handlers share (XML building, dates, bodies).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <string_view>

#include "gateway/auth.h"
#include "gateway/s3_error.h"
#include "gateway/s3_fs.h"
#include "gateway/server.h"

namespace slicefs::gateway {

// Lives until the response is fully sent (a streamed body holds a
// reference): keeps the request counted in flight, then records its metrics.
struct RequestEnd {
  service::Inflight::Guard guard;
  service::Inflight* inflight = nullptr;
  service::RequestMetrics* metrics = nullptr;
  std::string method;
  int status = 0;
  std::atomic<uint64_t> bytesIn{0}, bytesOut{0};
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  bool aborting() const { return inflight && inflight->aborting(); }
  ~RequestEnd() {
    if (metrics)
      metrics->Observe(method, status,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), bytesIn,
                       bytesOut);
  }
};

struct Gateway::Call {
  const httplib::Request& req;
  httplib::Response& res;
  const httplib::ContentReader* reader;  // null: no body
  GatewayStats& stats;
  RequestView view;
  AuthResult auth;
  std::string bucket, key;  // decoded; key empty for bucket-level calls
  std::string requestId;
  bool bodyRead = false;  // ReadBody ran: the connection can be kept
  std::shared_ptr<RequestEnd> end;

  bool Has(std::string_view q) const { return view.HasQuery(q); }
  std::string Q(std::string_view q) const { return view.Query(q); }
  std::string H(std::string_view h) const { return view.Header(h); }
  void Error(const S3Error& e);
  void Xml(int status, const std::string& body);
  void Empty(int status);
  // Streams the request body (decoding aws-chunked, checking
  // x-amz-content-sha256 and Content-MD5) into sink, in pieces.
  S3Error ReadBody(const std::function<S3Error(std::string_view)>& sink);
  // The whole body, refused with EntityTooLarge beyond max bytes.
  S3Error ReadSmallBody(std::string* out, size_t max = 8 << 20);
};

// Tiny XML writer: values are escaped.
class XmlOut {
 public:
  XmlOut() { s_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }
  XmlOut& Open(std::string_view tag, bool ns = false);
  XmlOut& Close(std::string_view tag);
  XmlOut& Elem(std::string_view tag, std::string_view text);
  XmlOut& Elem(std::string_view tag, uint64_t v) { return Elem(tag, std::to_string(v)); }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

std::string Iso8601(int64_t ns);
std::string HttpDate(int64_t ns);
std::string Quoted(std::string_view etag);
// x-amz-meta-* and Content-Type of a request.
ObjectMeta MetaFromHeaders(const RequestView& v);
// Content-Type, ETag, Last-Modified, x-amz-meta-* of an object.
void SetObjectHeaders(httplib::Response& res, const ObjectInfo& o);

}  // namespace slicefs::gateway
