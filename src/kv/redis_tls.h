// RedisTls: one TLS connection to a Redis server (rediss://). Debian's
// hiredis (0.14) has no TLS support, so the bytes go through OpenSSL here
// while hiredis still formats the commands (redisFormatCommandArgv) and
// parses the replies (redisReader): no protocol code of our own.
//
// The server's certificate is verified against the system CAs or
// tls.caFile and must name the URL's host (or tls.serverName), unless
// tls.insecureSkipVerify. A verification failure is final (EACCES-free
// EIO, not retryable) with one line saying what to pass.
//
// Threading: one thread at a time per connection (like redisContext).
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>

#include "common/status.h"
#include "common/tls_options.h"

namespace slicefs {

// Settings shared by every connection of a store (an OpenSSL SSL_CTX).
class RedisTlsContext {
 public:
  static Result<std::shared_ptr<RedisTlsContext>> Create(const TlsOptions& tls);
  ~RedisTlsContext();
  void* raw() const { return ctx_; }
  const TlsOptions& options() const { return tls_; }

 private:
  RedisTlsContext() = default;
  void* ctx_ = nullptr;  // SSL_CTX*
  TlsOptions tls_;
};

class RedisTls {
 public:
  // Connects (TCP within connectTimeoutSec, then the TLS handshake);
  // commandTimeoutSec bounds each later read or write.
  static Result<std::unique_ptr<RedisTls>> Connect(std::shared_ptr<RedisTlsContext> ctx, const std::string& host,
                                                   int port, int connectTimeoutSec, int commandTimeoutSec);
  ~RedisTls();

  // Sends one command and returns its reply (owned by the caller:
  // freeReplyObject), or null with *err set when the connection failed.
  redisReply* command(int argc, const char** argv, const size_t* lens, std::string* err);

 private:
  RedisTls() = default;
  std::shared_ptr<RedisTlsContext> ctx_;
  int fd_ = -1;
  void* ssl_ = nullptr;        // SSL*
  redisReader* reader_ = nullptr;
};

}  // namespace slicefs
