// An HTTP/1.1 server over libmicrohttpd for the WebDAV service (cpp-httplib
// 0.11, used elsewhere, refuses methods such as PROPFIND or MKCOL). It does
// the HTTP (parsing, keep-alive, chunked bodies, TLS, basic-auth headers)
// and hands each request to an HttpHandler as an exchange: the headers
// first, then the body in pieces of at most ~64 KiB (never held whole),
// then Finish() for the reply, whose body is a string or a BodySource read
// block by block. Memory per connection is bounded (MHD's 64 KiB pool, the
// reply's block buffer of 256 KiB, and what the exchange keeps).
//
// Threading: one thread per connection (at most 512 at once, then new ones
// are refused); handlers run on it and may block. Every request holds an
// Inflight guard (service/inflight.h) for its whole life, streaming reply
// included: when the service is draining a new request gets 503, and once
// aborting() a body being received or sent is cut (the exchange is told
// through Abandon()).
// Errors: Start() fails with one line (bad address, port taken, TLS).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <sys/types.h>
#include <vector>

#include "common/status.h"
#include "service/service.h"

struct MHD_Daemon;

namespace slicefs::webdav {

// A reply body produced block by block. Read fills `out` from `pos` (the
// bytes produced so far): returns the count, 0 at the end, or -1 to cut the
// connection (an error after the headers were sent).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual ssize_t Read(uint64_t pos, std::span<char> out) = 0;
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                     // when stream is null
  std::unique_ptr<BodySource> stream;   // streamed body
  std::optional<uint64_t> streamSize;   // nullopt: chunked
  void Header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

struct HttpRequest {
  std::string method;
  std::string path;    // percent-decoded, without the query
  std::string target;  // as sent
  std::map<std::string, std::string> headers;  // names in lower case
  std::string user, password;                   // from basic auth ("" if none)
  const std::string* Header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? nullptr : &it->second;
  }
};

// One request in progress. Body() gets the request body in pieces (only
// called when there is one); a non-null reply from it ends the request
// early (the rest of the body is discarded). Finish() gives the reply.
// Abandon() runs instead of Finish() when the request was cut (client gone,
// shutdown abort): undo what is half done.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual std::optional<HttpReply> Body(std::span<const char> data) { return std::nullopt; }
  virtual HttpReply Finish() = 0;
  virtual void Abandon() {}
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called once the headers are in. Either an exchange or an immediate reply.
  struct Start {
    std::unique_ptr<HttpExchange> exchange;
    std::optional<HttpReply> reply;
  };
  virtual Start Begin(const HttpRequest& req) = 0;
  // True when the request may proceed (basic auth); else a 401 is sent.
  virtual bool Authorized(const HttpRequest& req) { return true; }
  virtual std::string Realm() { return "slicefs"; }
};

class HttpServer : public service::Server {
 public:
  HttpServer(service::Service& svc, HttpHandler& handler) : svc_(svc), handler_(handler) {}
  ~HttpServer() override;
  Result<std::string> Start() override;
  void StopAccepting() override;
  void Stop() override;

  service::Service& svc() { return svc_; }
  HttpHandler& handler() { return handler_; }

 private:
  service::Service& svc_;
  HttpHandler& handler_;
  MHD_Daemon* daemon_ = nullptr;
  std::string address_;
};

}  // namespace slicefs::webdav
