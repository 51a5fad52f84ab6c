// The S3 backend: any S3-compatible service (AWS S3, MinIO, Ceph RGW,
// s3rver) over HTTP(S), requests signed with SigV4.
//
// Bucket URL forms (see docs/architecture.md, "S3 backend"):
//   http://127.0.0.1:9000/mybucket[/prefix]            path-style
//   https://mybucket.s3.us-east-1.amazonaws.com[/prefix] virtual-hosted
//   https://s3.eu-west-1.amazonaws.com/mybucket          path-style on AWS
// Query options: region=, io-retries=, get-timeout=, put-timeout= (seconds),
// connect-timeout= (seconds), connections= (keep-alive pool size),
// path-style=true|false.
// Region: ?region=, else from an AWS host name, else $AWS_REGION /
// $AWS_DEFAULT_REGION, else us-east-1.
// Credentials: the format's access/secret key/session token, else
// $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY / $AWS_SESSION_TOKEN.
//
// Errors: missing key -> ENOENT; 403 / InvalidAccessKeyId /
// SignatureDoesNotMatch -> EACCES (final); NoSuchBucket -> ENXIO (final);
// 429, 5xx, SlowDown, timeouts, refused/reset connections are retried with
// exponential backoff and jitter up to io-retries times, then EIO (final).
// Every request is bounded by its timeout, so no call hangs.
// Thread-safe; connections are pooled and reused.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/retry.h"
#include "common/tls_options.h"
#include "common/volume_format.h"
#include "object/http_client.h"
#include "object/object_store.h"
#include "object/sigv4.h"

namespace slicefs {

struct S3Config {
  std::string scheme = "http";  // http | https
  std::string host;             // host name or IP (no brackets)
  uint16_t port = 0;            // 0: the scheme's default
  std::string bucket;
  bool pathStyle = true;
  std::string keyPrefix;  // prepended to every key ("" or ending in '/')
  std::string region = "us-east-1";
  sigv4::Credentials creds;
  int ioRetries = 10;             // extra attempts after the first
  int64_t getTimeoutMs = 60000;   // per GET/HEAD/LIST attempt
  int64_t putTimeoutMs = 60000;   // per PUT/DELETE/POST attempt
  int64_t connectTimeoutMs = 10000;
  int64_t backoffBaseMs = 100;    // first retry delay (then doubles)
  int64_t backoffMaxMs = 2000;    // cap on one delay
  size_t maxConnections = 32;     // idle keep-alive connections kept
  size_t listPageSize = 1000;     // max-keys per ListObjectsV2 request
  TlsOptions tls;                 // https: CA file, client cert, insecure-skip-verify (common/tls_options.h)

  // Parses a bucket URL plus explicit credentials (empty: from the
  // environment). EINVAL with a one-line message on a malformed URL.
  static Result<S3Config> Parse(const std::string& url, const std::string& accessKey = "",
                                const std::string& secretKey = "", const std::string& sessionToken = "");
  // The retry policy these settings describe (common/retry.h).
  RetryPolicy retryPolicy() const;
  static Result<S3Config> FromFormat(const VolumeFormat& fmt) {
    return Parse(fmt.bucket, fmt.accessKey, fmt.secretKey, fmt.sessionToken);
  }
  // "Host" header value: host[:port] (brackets for IPv6, port only if not default).
  std::string hostHeader() const;
  // e.g. "s3://127.0.0.1:9000/mybucket" (no secrets).
  std::string describe() const;
};

class S3Store : public ObjectStore {
 public:
  explicit S3Store(S3Config cfg);

  std::string describe() const override;
  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;
  // Creates the bucket when missing (HEAD first); an existing bucket is OK.
  Status create() override;

  // Deletes many keys with multi-object delete (POST ?delete, 1000 per
  // request), falling back to single DELETEs where the server lacks it.
  Status delMany(const std::vector<std::string>& keys);
  // HEAD bucket: OK, ENXIO if it does not exist, EACCES if forbidden.
  Status checkBucket();

  const S3Config& config() const { return cfg_; }
  // Requests sent, including retries (for tests and objbench).
  uint64_t requestsSent() const { return requests_.load(); }
  uint64_t connectsMade() const { return http_.connectsMade(); }

 private:
  struct Call {
    std::string method;
    std::string key;  // full object key (prefix included); "" addresses the bucket
    sigv4::Pairs query;
    std::span<const char> body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool isRead = true;  // picks get- or put-timeout
    size_t maxResponseBytes = 64u << 20;
  };
  // One attempt: signs and sends; classifies failures (retryable or not).
  Result<HttpResponse> attempt(const Call& c);
  // attempt() with retries and backoff. Non-2xx responses that are not
  // retryable come back as a Status from Classify.
  Result<HttpResponse> send(const Call& c, const std::string& what);
  std::string objectPath(const std::string& fullKey) const;

  S3Config cfg_;
  HttpClient http_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<bool> multiDeleteUnsupported_{false};
};

// Opens an S3 store for a volume format (storage == "s3").
Result<std::unique_ptr<S3Store>> OpenS3Store(const VolumeFormat& fmt);

// Storage preparation at format: checks the endpoint and credentials,
// creates the bucket if it is missing and allowed, then writes, reads back
// and deletes a probe object under "{volume}/". Uses few retries and short
// timeouts so a bad endpoint fails within seconds. The message is one line.
Status PrepareS3Storage(const VolumeFormat& fmt);

}  // namespace slicefs
