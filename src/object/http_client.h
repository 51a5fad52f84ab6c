// A small blocking HTTP/1.1 client over libcurl with connection reuse.
//
// Each request borrows an easy handle from a pool; an idle handle keeps its
// keep-alive connection, so consecutive requests to the same host reuse TCP
// (and TLS) connections. At most `maxIdle` handles are kept; more concurrent
// requests than that still work (extra handles are created and dropped).
// HTTPS verifies the peer certificate and host name (libcurl defaults).
//
// Errors: a transport failure (refused, reset, timeout, DNS) is a retryable
// EIO/ETIMEDOUT Status; any HTTP status, including 4xx/5xx, is a response.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/tls_options.h"

namespace slicefs {

struct HttpRequest {
  std::string method = "GET";
  std::string url;                                           // fully encoded
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::span<const char> body;                                // not owned
  int64_t timeoutMs = 60000;                                 // whole request
  int64_t connectTimeoutMs = 10000;
  size_t maxResponseBytes = 64u << 20;  // a larger body fails the request (EIO)
  const TlsOptions* tls = nullptr;      // https settings (not owned; null: system CAs, verified)
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(size_t maxIdle = 32);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> perform(const HttpRequest& req);

  // Connections opened so far (for tests of reuse).
  uint64_t connectsMade() const;

 private:
  void* acquire();
  void release(void* handle);

  size_t maxIdle_;
  mutable std::mutex mu_;
  std::vector<void*> idle_;
  uint64_t connects_ = 0;
};

}  // namespace slicefs
