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

// Request counters. The same figures go to the process's metrics registry
// (common/metrics.h) as slicefs_gateway_* series (docs/cli.md).
struct GatewayStats {
  std::atomic<uint64_t> requests{0}, errors{0}, bytesIn{0}, bytesOut{0}, authFailures{0};
};

class Gateway {
 public:
  Gateway(PathFs& fs, std::string volumeName, ServerOptions opts);
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
  std::atomic<uint64_t> nextId_{1};
};

}  // namespace slicefs::gateway
