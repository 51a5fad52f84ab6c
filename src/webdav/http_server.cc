// libmicrohttpd glue for the WebDAV server (see http_server.h).
#include "webdav/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>

namespace slicefs::webdav {
namespace {

constexpr size_t kReplyBlock = 256 << 10;
constexpr size_t kConnMemory = 64 << 10;
constexpr unsigned kMaxConnections = 512;

// The state of one request, from its headers to the end of its reply.
struct Conn {
  HttpServer* server = nullptr;
  service::Inflight::Guard guard;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string method;
  std::unique_ptr<HttpExchange> exchange;
  std::optional<HttpReply> early;  // a reply decided before the body ended
  bool finished = false;           // Finish() ran (or an early reply)
  int status = 0;
  uint64_t in = 0, out = 0;
};

// The reply body as MHD pulls it (owned by the MHD response).
struct Stream {
  std::unique_ptr<BodySource> src;
  Conn* conn;
  service::Inflight* inflight;
};

ssize_t StreamRead(void* cls, uint64_t pos, char* buf, size_t max) {
  auto* s = static_cast<Stream*>(cls);
  if (s->inflight->aborting()) return MHD_CONTENT_READER_END_WITH_ERROR;
  ssize_t n = s->src->Read(pos, std::span<char>(buf, max));
  if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
  if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
  s->conn->out += static_cast<uint64_t>(n);
  return n;
}

void StreamFree(void* cls) { delete static_cast<Stream*>(cls); }

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* req = static_cast<HttpRequest*>(cls);
  std::string k(key ? key : "");
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto [it, fresh] = req->headers.emplace(k, value ? value : "");
  if (!fresh) it->second += ", " + std::string(value ? value : "");  // repeated header: one list
  return MHD_YES;
}

MHD_Result Queue(MHD_Connection* c, Conn* conn, HttpReply r, bool authFail, const std::string& realm) {
  MHD_Response* resp;
  if (r.stream) {
    auto* s = new Stream{std::move(r.stream), conn, &conn->server->svc().inflight()};
    resp = MHD_create_response_from_callback(r.streamSize ? *r.streamSize : MHD_SIZE_UNKNOWN, kReplyBlock,
                                             StreamRead, s, StreamFree);
  } else {
    conn->out += r.body.size();
    resp = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
  }
  if (!resp) return MHD_NO;
  for (auto& [k, v] : r.headers) MHD_add_response_header(resp, k.c_str(), v.c_str());
  conn->status = r.status;
  MHD_Result rc = authFail ? MHD_queue_basic_auth_fail_response(c, realm.c_str(), resp)
                           : MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
  MHD_destroy_response(resp);
  return rc;
}

HttpReply Plain(int status, std::string text) {
  HttpReply r;
  r.status = status;
  r.body = std::move(text);
  r.Header("Content-Type", "text/plain; charset=utf-8");
  return r;
}

MHD_Result Access(void* cls, MHD_Connection* c, const char* url, const char* method, const char* version,
                  const char* data, size_t* dataSize, void** conCls) {
  auto* server = static_cast<HttpServer*>(cls);
  auto* conn = static_cast<Conn*>(*conCls);
  if (!conn) {
    conn = new Conn;
    conn->server = server;
    conn->method = method;
    *conCls = conn;
    conn->guard = server->svc().inflight().Enter();
    if (!conn->guard) {
      HttpReply r = Plain(503, "the server is shutting down\n");
      r.Header("Connection", "close");
      conn->finished = true;
      return Queue(c, conn, std::move(r), false, "");
    }
    HttpRequest req;
    req.method = method;
    req.path = url;
    MHD_get_connection_values(c, MHD_HEADER_KIND, CollectHeader, &req);
    char* pass = nullptr;
    if (char* user = MHD_basic_auth_get_username_password(c, &pass)) {
      req.user = user;
      MHD_free(user);
    }
    if (pass) {
      req.password = pass;
      MHD_free(pass);
    }
    req.target = url;
    HttpHandler& h = server->handler();
    if (!h.Authorized(req)) {
      conn->finished = true;
      return Queue(c, conn, Plain(401, "authentication required\n"), true, h.Realm());
    }
    auto st = h.Begin(req);
    if (st.reply) {
      conn->early = std::move(st.reply);
    } else {
      conn->exchange = std::move(st.exchange);
    }
    return MHD_YES;
  }
  if (*dataSize > 0) {
    conn->in += *dataSize;
    if (server->svc().inflight().aborting()) return MHD_NO;  // cut: NOTIFY_COMPLETED abandons
    if (!conn->early && conn->exchange) {
      conn->early = conn->exchange->Body(std::span<const char>(data, *dataSize));
      if (conn->early) conn->exchange->Abandon();
    }
    *dataSize = 0;
    return MHD_YES;
  }
  if (conn->finished) return MHD_YES;
  conn->finished = true;
  HttpReply r = conn->early ? std::move(*conn->early)
                            : (conn->exchange ? conn->exchange->Finish() : Plain(500, "no handler\n"));
  return Queue(c, conn, std::move(r), false, "");
}

void Completed(void* cls, MHD_Connection*, void** conCls, MHD_RequestTerminationCode toe) {
  auto* conn = static_cast<Conn*>(*conCls);
  if (!conn) return;
  *conCls = nullptr;
  if (!conn->finished && conn->exchange) conn->exchange->Abandon();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - conn->start).count();
  const int status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? conn->status : 0;  // 0: cut
  conn->server->svc().requests().Observe(conn->method, status, secs, conn->in, conn->out);
  delete conn;
}

void LogMhd(void*, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  size_t n = std::strlen(buf);
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  spdlog::debug("webdav http: {}", buf);
}

}  // namespace

HttpServer::~HttpServer() { Stop(); }

Result<std::string> HttpServer::Start() {
  ASSIGN_OR_RETURN(auto hp, service::ParseAddress(svc_.args().address));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(hp.second);
  if (int e = getaddrinfo(hp.first.c_str(), port.c_str(), &hints, &res); e != 0 || !res) {
    return Err(EINVAL, "cannot resolve '" + hp.first + "': " + gai_strerror(e));
  }
  sockaddr_storage sa{};
  std::memcpy(&sa, res->ai_addr, res->ai_addrlen);
  const bool v6 = res->ai_family == AF_INET6;
  freeaddrinfo(res);

  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                   MHD_USE_ERROR_LOG | MHD_USE_TURBO;
  if (v6) flags |= MHD_USE_IPv6;
  const auto& tls = svc_.tls();
  if (tls) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> opts = {
      {MHD_OPTION_SOCK_ADDR, 0, &sa},
      {MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnMemory, nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, 300, nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Completed), this},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&LogMhd), nullptr},
  };
  if (tls) {
    opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls->certPem.c_str())});
    opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls->keyPem.c_str())});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  daemon_ = MHD_start_daemon(flags, static_cast<uint16_t>(hp.second), nullptr, nullptr, &Access, this,
                             MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
  if (!daemon_) {
    return Err(EADDRINUSE, "cannot serve at " + svc_.args().address +
                               " (address in use or not local?); pick another ADDRESS");
  }
  int bound = hp.second;
  if (const MHD_DaemonInfo* di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)) bound = di->port;
  const bool bracket = v6 && hp.first.find(':') != std::string::npos;
  address_ = (bracket ? "[" + hp.first + "]" : hp.first) + ":" + std::to_string(bound);
  return address_;
}

void HttpServer::StopAccepting() {
  if (!daemon_) return;
  MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd != MHD_INVALID_SOCKET) ::close(fd);
}

void HttpServer::Stop() {
  if (!daemon_) return;
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

}  // namespace slicefs::webdav
