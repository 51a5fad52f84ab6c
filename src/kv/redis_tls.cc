#include "kv/redis_tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace slicefs {
namespace {

std::string SslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool IsIpLiteral(const std::string& h) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, h.c_str(), &a4) == 1 || inet_pton(AF_INET6, h.c_str(), &a6) == 1;
}

// A TCP connection within timeoutSec, or -1 with *err.
int ConnectTcp(const std::string& host, int port, int timeoutSec, std::string* err) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *err = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    int soerr = errno;
    if (soerr == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      socklen_t len = sizeof soerr;
      int ready = ::poll(&p, 1, timeoutSec * 1000);
      if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) break;
      if (ready == 0) soerr = ETIMEDOUT;
    }
    *err = std::strerror(soerr);
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    if (err->empty()) *err = "cannot connect";
    return -1;
  }
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

Result<std::shared_ptr<RedisTlsContext>> RedisTlsContext::Create(const TlsOptions& tls) {
  auto c = std::shared_ptr<RedisTlsContext>(new RedisTlsContext());
  c->tls_ = tls;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Err(ENOMEM, "redis: cannot create a TLS context: " + SslErrors());
  c->ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (tls.insecureSkipVerify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = tls.caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                : SSL_CTX_load_verify_locations(ctx, tls.caFile.c_str(), nullptr);
    if (ok != 1) return Err(EINVAL, "redis: cannot load the CA file " + tls.caFile + ": " + SslErrors());
  }
  if (!tls.certFile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.certFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, tls.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
      return Err(EINVAL, "redis: cannot load the client certificate " + tls.certFile + ": " + SslErrors());
  }
  return c;
}

RedisTlsContext::~RedisTlsContext() {
  if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

Result<std::unique_ptr<RedisTls>> RedisTls::Connect(std::shared_ptr<RedisTlsContext> ctx, const std::string& host,
                                                    int port, int connectTimeoutSec, int commandTimeoutSec) {
  auto c = std::unique_ptr<RedisTls>(new RedisTls());
  c->ctx_ = std::move(ctx);
  const std::string where = host + ":" + std::to_string(port);
  std::string err;
  c->fd_ = ConnectTcp(host, port, connectTimeoutSec, &err);
  if (c->fd_ < 0) return Err(Status::Retryable(EIO, "redis: cannot connect to " + where + ": " + err));
  timeval tv{connectTimeoutSec, 0};
  setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(c->ctx_->raw()));
  if (ssl == nullptr) return Err(Status::Retryable(ENOMEM, "redis: cannot create a TLS session"));
  c->ssl_ = ssl;
  const TlsOptions& o = c->ctx_->options();
  const std::string name = o.serverName.empty() ? host : o.serverName;
  if (!IsIpLiteral(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!o.insecureSkipVerify) {
    X509_VERIFY_PARAM* vp = SSL_get0_param(ssl);
    if (IsIpLiteral(name)) X509_VERIFY_PARAM_set1_ip_asc(vp, name.c_str());
    else X509_VERIFY_PARAM_set1_host(vp, name.c_str(), 0);
  }
  SSL_set_fd(ssl, c->fd_);
  ERR_clear_error();
  if (SSL_connect(ssl) != 1) {
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) {
      return Err(Status::Error(EIO, "redis: TLS certificate of " + where + " not trusted (" +
                                        X509_verify_cert_error_string(v) + ") " + kTlsVerifyHint));
    }
    std::string why = SslErrors();
    return Err(Status::Error(EIO, "redis: TLS handshake with " + where + " failed (" +
                                      (why.empty() ? std::string("the server closed the connection") : why) +
                                      "; is it a TLS port?)"));
  }
  tv = {commandTimeoutSec, 0};
  setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  c->reader_ = redisReaderCreate();
  if (c->reader_ == nullptr) return Err(Status::Retryable(ENOMEM, "redis: cannot create a reply reader"));
  return c;
}

RedisTls::~RedisTls() {
  if (reader_) redisReaderFree(reader_);
  if (ssl_) {
    SSL_shutdown(static_cast<SSL*>(ssl_));
    SSL_free(static_cast<SSL*>(ssl_));
  }
  if (fd_ >= 0) ::close(fd_);
}

redisReply* RedisTls::command(int argc, const char** argv, const size_t* lens, std::string* err) {
  SSL* ssl = static_cast<SSL*>(ssl_);
  char* cmd = nullptr;
  int len = redisFormatCommandArgv(&cmd, argc, argv, lens);
  if (len < 0) {
    *err = "cannot format the command";
    return nullptr;
  }
  int off = 0;
  while (off < len) {
    ERR_clear_error();
    int n = SSL_write(ssl, cmd + off, len - off);
    if (n <= 0) {
      free(cmd);
      *err = "TLS write failed: " + (SslErrors().empty() ? std::string(std::strerror(errno)) : SslErrors());
      return nullptr;
    }
    off += n;
  }
  free(cmd);
  char buf[16384];
  while (true) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_, &reply) != REDIS_OK) {
      *err = std::string("protocol error: ") + reader_->errstr;
      return nullptr;
    }
    if (reply != nullptr) return static_cast<redisReply*>(reply);
    ERR_clear_error();
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0) {
      *err = n == 0 || SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN ? "server closed the connection"
                                                                        : "TLS read failed (timeout or reset)";
      return nullptr;
    }
    redisReaderFeed(reader_, buf, n);
  }
}

}  // namespace slicefs
