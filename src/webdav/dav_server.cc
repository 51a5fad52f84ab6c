// WebDAV request dispatch, conditions, and the small methods (see dav_server.h).
#include "webdav/dav_server.h"

#include <fcntl.h>
#include <openssl/crypto.h>

#include <vector>

#include "webdav/dav_util.h"
#include "webdav/dav_xml.h"

namespace slicefs::webdav {
namespace {

constexpr size_t kMaxXmlBody = 1 << 20;

// Collects a small request body (XML, or none), then runs `fn`.
class BufferedExchange : public HttpExchange {
 public:
  using Fn = std::function<HttpReply(const std::string& body)>;
  explicit BufferedExchange(Fn fn) : fn_(std::move(fn)) {}
  std::optional<HttpReply> Body(std::span<const char> d) override {
    if (body_.size() + d.size() > kMaxXmlBody) return TextReply(413, "request body larger than 1 MiB\n");
    body_.append(d.data(), d.size());
    return std::nullopt;
  }
  HttpReply Finish() override { return fn_(body_); }

 private:
  Fn fn_;
  std::string body_;
};

const char* const kAllow = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK";

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

HttpReply TextReply(int status, std::string text) {
  HttpReply r;
  r.status = status;
  r.body = std::move(text);
  if (!r.body.empty()) r.Header("Content-Type", "text/plain; charset=utf-8");
  return r;
}

int StatusOf(const Status& st) {
  switch (st.code()) {
    case ENOENT: return 404;
    case EACCES:
    case EPERM:
    case EROFS: return 403;
    case EEXIST: return 405;
    case ENOTDIR:
    case ENOTEMPTY: return 409;
    case EISDIR: return 405;
    case ENOSPC:
    case EDQUOT: return 507;
    case ENAMETOOLONG:
    case EINVAL: return 400;
    case EAGAIN: return 423;
    default: return 500;
  }
}

HttpReply ErrorReply(const Status& st) { return TextReply(StatusOf(st), st.message() + "\n"); }

std::string StatusLine(int status) {
  const char* text = "Unknown";
  switch (status) {
    case 200: text = "OK"; break;
    case 403: text = "Forbidden"; break;
    case 404: text = "Not Found"; break;
    case 409: text = "Conflict"; break;
    case 423: text = "Locked"; break;
    case 424: text = "Failed Dependency"; break;
    case 507: text = "Insufficient Storage"; break;
    case 500: text = "Internal Server Error"; break;
  }
  return "HTTP/1.1 " + std::to_string(status) + " " + text;
}

std::string DeadXattr(const std::string& clark) { return std::string(kDeadPrefix) + clark; }

bool DavHandler::Authorized(const HttpRequest& req) {
  if (opts_.user.empty() && opts_.password.empty()) return true;
  // Both compared in full (no early exit on the user name).
  const bool u = SameSecret(req.user, opts_.user);
  const bool p = SameSecret(req.password, opts_.password);
  return u && p;
}

HttpHandler::Start DavHandler::Begin(const HttpRequest& req) {
  const std::string path = NormalizePath(req.path);
  const std::string& m = req.method;
  auto buffered = [&](auto fn) {
    return Start{std::make_unique<BufferedExchange>(
                     [this, req, path, fn](const std::string& body) { return (this->*fn)(req, path, body); }),
                 std::nullopt};
  };
  auto bodyless = [&](auto fn) {
    return Start{std::make_unique<BufferedExchange>([this, req, path, fn](const std::string&) {
                   return (this->*fn)(req, path);
                 }),
                 std::nullopt};
  };
  if (m == "OPTIONS") return Start{nullptr, Options(req)};
  if (m == "GET" || m == "HEAD") return bodyless(&DavHandler::Get);
  if (m == "PUT") return Put(req, path);
  if (m == "DELETE") return bodyless(&DavHandler::Delete);
  if (m == "MKCOL") return buffered(&DavHandler::Mkcol);
  if (m == "COPY" || m == "MOVE") {
    const bool move = m == "MOVE";
    return Start{std::make_unique<BufferedExchange>(
                     [this, req, path, move](const std::string&) { return CopyMove(req, path, move); }),
                 std::nullopt};
  }
  if (m == "PROPFIND") return buffered(&DavHandler::Propfind);
  if (m == "PROPPATCH") return buffered(&DavHandler::Proppatch);
  if (m == "LOCK") return buffered(&DavHandler::Lock);
  if (m == "UNLOCK") return bodyless(&DavHandler::Unlock);
  HttpReply r = TextReply(405, "method " + m + " is not supported\n");
  r.Header("Allow", kAllow);
  return Start{nullptr, std::move(r)};
}

HttpReply DavHandler::Options(const HttpRequest&) {
  HttpReply r;
  r.status = 200;
  r.Header("DAV", "1, 2");
  r.Header("Allow", kAllow);
  r.Header("MS-Author-Via", "DAV");
  return r;
}

std::optional<HttpReply> DavHandler::CheckConditions(const HttpRequest& req, const std::string& path, bool write,
                                                     bool tree, bool parent) {
  std::set<std::string> tokens;
  if (const std::string* h = req.Header("if")) {
    auto lists = ParseIf(*h);
    if (!lists) return TextReply(400, lists.error().message() + "\n");
    PathFs fs = this->fs();
    auto tokenOk = [this](const std::string& res, const std::string& token) { return locks_.Applies(res, token); };
    auto etagOf = [&fs](const std::string& res) -> std::string {
      auto e = fs.Resolve(res);
      return e && e->attr.type != FileType::kDir ? ETagOf(e->ino, e->attr) : "";
    };
    if (!EvaluateIf(*lists, path, tokenOk, etagOf)) {
      return TextReply(412, "the If header does not hold for " + path + "\n");
    }
    tokens = SubmittedTokens(*lists);
  }
  if (!write) return std::nullopt;
  Status st = locks_.CheckWrite(path, tree, tokens);
  if (st.ok() && parent && path != "/") st = locks_.CheckWrite(ParentPath(path), false, tokens);
  if (!st.ok()) return TextReply(423, st.message() + " (submit its lock token in an If header)\n");
  return std::nullopt;
}

Status DavHandler::RemoveAll(const std::string& path) {
  PathFs fs = this->fs();
  ASSIGN_OR_RETURN(auto top, fs.Lstat(path));
  if (top.type != FileType::kDir) return fs.Unlink(path);
  std::vector<std::string> stack{path};
  while (!stack.empty()) {
    if (svc_.inflight().aborting()) return Err(ECANCELED, "the server is stopping");
    const std::string dir = stack.back();
    ASSIGN_OR_RETURN(auto page, fs.List(dir, "", 256, false));
    if (page.empty()) {
      RETURN_IF_ERROR(fs.Rmdir(dir));
      stack.pop_back();
      continue;
    }
    for (const auto& e : page) {
      const std::string child = dir + "/" + e.name;
      if (e.type == FileType::kDir) {
        stack.push_back(child);
      } else {
        RETURN_IF_ERROR(fs.Unlink(child));
      }
    }
  }
  return Status::OK();
}

HttpReply DavHandler::Delete(const HttpRequest& req, const std::string& path) {
  if (path == "/") return TextReply(403, "the root collection cannot be deleted\n");
  PathFs fs = this->fs();
  auto a = fs.Lstat(path);
  if (!a) return ErrorReply(a.error());
  if (auto r = CheckConditions(req, path, true, true, true)) return std::move(*r);
  Status st = RemoveAll(path);
  if (!st.ok()) return ErrorReply(st);
  locks_.DropTree(path);
  return TextReply(204, "");
}

HttpReply DavHandler::Mkcol(const HttpRequest& req, const std::string& path, const std::string& body) {
  if (!body.empty()) return TextReply(415, "MKCOL with a body is not supported\n");
  PathFs fs = this->fs();
  if (fs.Lstat(path)) return TextReply(405, path + " exists already\n");
  auto parent = fs.Stat(ParentPath(path));
  if (!parent || parent->type != FileType::kDir) return TextReply(409, "the parent collection does not exist\n");
  if (auto r = CheckConditions(req, path, true, false, true)) return std::move(*r);
  auto made = fs.Mkdir(path, 0777);
  if (!made) return ErrorReply(made.error());
  return TextReply(201, "");
}

std::string DavHandler::LockDiscovery(const std::string& path) {
  std::string out;
  for (const DavLock& l : locks_.Covering(path)) {
    out += "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>";
    out += l.exclusive ? "<D:exclusive/>" : "<D:shared/>";
    out += "</D:lockscope><D:depth>";
    out += l.infinite ? "infinity" : "0";
    out += "</D:depth>" + l.ownerXml + "<D:timeout>Second-" + std::to_string(l.timeoutSec) + "</D:timeout>";
    out += "<D:locktoken><D:href>" + XmlEscape(l.token) + "</D:href></D:locktoken>";
    out += "<D:lockroot><D:href>" + XmlEscape(EncodePath(l.root)) + "</D:href></D:lockroot></D:activelock>";
  }
  return out;
}

HttpReply DavHandler::Lock(const HttpRequest& req, const std::string& path, const std::string& body) {
  const uint32_t timeout = ParseTimeout(req.Header("timeout"));
  auto lockReply = [&](const DavLock& l, int status) {
    HttpReply r;
    r.status = status;
    r.Header("Content-Type", "application/xml; charset=utf-8");
    r.Header("Lock-Token", "<" + l.token + ">");
    r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>" +
             LockDiscovery(l.root) + "</D:lockdiscovery></D:prop>\n";
    return r;
  };
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {  // a refresh
    const std::string* h = req.Header("if");
    if (!h) return TextReply(400, "LOCK without a body refreshes a lock: give its token in an If header\n");
    auto lists = ParseIf(*h);
    if (!lists) return TextReply(400, lists.error().message() + "\n");
    for (const std::string& t : SubmittedTokens(*lists)) {
      if (auto l = locks_.Refresh(path, t, timeout)) {
        HttpReply r = lockReply(*l, 200);
        r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                       [](auto& kv) { return kv.first == "Lock-Token"; }),
                        r.headers.end());
        return r;
      }
    }
    return TextReply(412, "no lock of the If header applies to " + path + "\n");
  }
  auto info = ParseLockInfo(body);
  if (!info) return TextReply(400, info.error().message() + "\n");
  bool infinite = true;
  if (const std::string* d = req.Header("depth")) {
    if (*d == "0") {
      infinite = false;
    } else if (*d != "infinity" && *d != "Infinity") {
      return TextReply(400, "LOCK Depth must be 0 or infinity\n");
    }
  }
  if (auto r = CheckConditions(req, path, false, false, false)) return std::move(*r);
  PathFs fs = this->fs();
  bool created = false;
  if (!fs.Lstat(path)) {  // a lock on an unmapped URL creates an empty resource
    auto parent = fs.Stat(ParentPath(path));
    if (!parent || parent->type != FileType::kDir) return TextReply(409, "the parent collection does not exist\n");
    auto f = fs.Open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (!f) return ErrorReply(f.error());
    Status cl = f->Close();
    if (!cl.ok()) return ErrorReply(cl);
    created = true;
  }
  auto l = locks_.Lock(path, info->exclusive, infinite, info->ownerXml, timeout);
  if (!l) {
    if (created) (void)fs.Unlink(path);
    return TextReply(423, l.error().message() + "\n");
  }
  return lockReply(*l, created ? 201 : 200);
}

HttpReply DavHandler::Unlock(const HttpRequest& req, const std::string& path) {
  const std::string* h = req.Header("lock-token");
  if (!h) return TextReply(400, "UNLOCK needs a Lock-Token header\n");
  std::string t = *h;
  while (!t.empty() && t.front() == ' ') t.erase(0, 1);
  if (t.size() >= 2 && t.front() == '<' && t.back() == '>') t = t.substr(1, t.size() - 2);
  Status st = locks_.Unlock(path, t);
  if (!st.ok()) return TextReply(409, "lock " + t + " does not apply to " + path + "\n");
  return TextReply(204, "");
}

}  // namespace slicefs::webdav
