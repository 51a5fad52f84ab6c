// The WebDAV protocol (RFC 4918, classes 1 and 2) over a volume's path API:
// OPTIONS, GET/HEAD (single byte ranges), PUT (written to a temporary file
// beside the target and renamed over it, so a reader never sees half a
// file), DELETE, MKCOL, COPY (files are cloned by metadata: no data is
// copied), MOVE (rename), PROPFIND at depth 0, 1 and infinity (streamed
// page by page, bounded memory however big the tree), PROPPATCH (dead
// properties kept in xattrs "user.dav.{ns}name" whose value is the
// property element), LOCK/UNLOCK (dav_locks.h: in this process's memory,
// with timeouts) and the If header; optional basic authentication.
//
// Threading: one DavHandler serves all connections; it is thread-safe.
// Errors: each request gets the status RFC 4918 names (404, 409, 412, 423,
// 507, ...), with a one-line text body for plain errors.
#pragma once

#include <string>

#include "service/service.h"
#include "webdav/dav_locks.h"
#include "webdav/http_server.h"

namespace slicefs::webdav {

struct DavOptions {
  std::string user, password;  // both empty: no authentication
};

class DavHandler : public HttpHandler {
 public:
  DavHandler(service::Service& svc, DavOptions opts) : svc_(svc), opts_(std::move(opts)) {}
  Start Begin(const HttpRequest& req) override;
  bool Authorized(const HttpRequest& req) override;
  std::string Realm() override { return "slicefs WebDAV"; }

  // ---- used by the method implementations (dav_*.cc) ----
  service::Service& svc() { return svc_; }
  PathFs fs() { return svc_.fs(); }
  LockTable& locks() { return locks_; }
  // The If header (412 when it does not hold) and, with `write`, the locks
  // on `path` (and below it with `tree`; its parent with `parent`): 423
  // unless the request submits their tokens. nullopt: go on.
  std::optional<HttpReply> CheckConditions(const HttpRequest& req, const std::string& path, bool write,
                                           bool tree, bool parent);

  HttpReply Options(const HttpRequest& req);
  HttpReply Get(const HttpRequest& req, const std::string& path);
  Start Put(const HttpRequest& req, const std::string& path);
  HttpReply Delete(const HttpRequest& req, const std::string& path);
  HttpReply Mkcol(const HttpRequest& req, const std::string& path, const std::string& body);
  HttpReply CopyMove(const HttpRequest& req, const std::string& path, bool move);
  HttpReply Propfind(const HttpRequest& req, const std::string& path, const std::string& body);
  HttpReply Proppatch(const HttpRequest& req, const std::string& path, const std::string& body);
  HttpReply Lock(const HttpRequest& req, const std::string& path, const std::string& body);
  HttpReply Unlock(const HttpRequest& req, const std::string& path);

  // The lockdiscovery content (activelock elements) of `path`.
  std::string LockDiscovery(const std::string& path);
  // Removes a file or a whole tree through the path API (trash and
  // permissions as for a mount), directory by directory.
  Status RemoveAll(const std::string& path);

 private:
  service::Service& svc_;
  DavOptions opts_;
  LockTable locks_;
};

// A plain-text reply; the HTTP status for an errno.
HttpReply TextReply(int status, std::string text);
int StatusOf(const Status& st);
HttpReply ErrorReply(const Status& st);
// "HTTP/1.1 404 Not Found" for multistatus bodies.
std::string StatusLine(int status);
// The xattr holding dead property `clark` ("{ns}name").
std::string DeadXattr(const std::string& clark);
inline constexpr std::string_view kDeadPrefix = "user.dav.";

}  // namespace slicefs::webdav
