// The S3 HTTP front end of the gateway: installs its routes on a
// cpp-httplib server (plain or TLS; the caller owns, binds and stops it).
// Every request is authenticated (auth.h), dispatched on method, path
// ("/", "/bucket", "/bucket/key") and sub-resource query, and answered with
// S3's XML documents or its XML errors. Object bodies stream both ways in
// blocks of at most 1 MiB (uploads through an aws-chunked decoder when the
// client signs chunks), so memory per request is bounded whatever the size.
//
// Threading: the handlers run on httplib's worker threads concurrently; a
// Gateway holds no per-request state. It borrows the PathFs.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/auth.h"
#include "gateway/multipart.h"
#include "gateway/s3_fs.h"
#include "service/inflight.h"
#include "service/service.h"

namespace httplib {
class Server;
}

namespace slicefs::gateway {

struct ServerOptions {
  std::string accessKey, secretKey;
  GatewayOptions gw;
  // Max seconds between a request's x-amz-date and the server clock.
  int64_t maxSkewSec = 900;
};

// Request counters (errors and auth failures also go to the metrics
// registry as slicefs_gateway_errors_total / _auth_failures_total; requests,
// durations and bytes through service::RequestMetrics).
struct GatewayStats {
  std::atomic<uint64_t> requests{0}, errors{0}, bytesIn{0}, bytesOut{0}, authFailures{0};
};

class Gateway {
 public:
  // inflight/metrics (may be null: no draining, no request metrics) are the
  // service's (service/service.h): every request holds an Inflight guard
  // until its response body is sent, is refused with 503 while draining,
  // and stops streaming once the drain aborts.
  Gateway(PathFs& fs, std::string volumeName, ServerOptions opts, service::Inflight* inflight = nullptr,
          service::RequestMetrics* metrics = nullptr);
  ~Gateway();
  void Install(httplib::Server& srv);
  const GatewayStats& stats() const { return stats_; }
  S3Fs& s3() { return s3_; }

  struct Call;

 private:
  void Handle(Call& c);
  void Dispatch(Call& c);
  // bucket-level and object-level operations (handlers_*.cc)
  void ListBuckets(Call& c);
  void BucketOp(Call& c);
  void ListObjectsOp(Call& c, bool v2);
  void DeleteObjects(Call& c);
  void ListUploads(Call& c);
  void ObjectOp(Call& c);
  void PutObject(Call& c);
  void GetObject(Call& c, bool head);
  void CopyObject(Call& c);
  void CreateUpload(Call& c);
  void UploadPart(Call& c);
  void CompleteUpload(Call& c);
  void ListParts(Call& c);

  S3Fs s3_;
  Multipart mp_;
  Authenticator auth_;
  ServerOptions opts_;
  GatewayStats stats_;
  service::Inflight* inflight_;
  service::RequestMetrics* metrics_;
  std::atomic<uint64_t> nextId_{1};
};

}  // namespace slicefs::gateway
