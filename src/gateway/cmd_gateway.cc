// slicefs gateway META-URL ADDRESS: serves the volume as an S3 endpoint.
// The process life (volume, session, metrics, TLS files, SIGTERM drain) is
// service::RunService's; this file adds the S3 flags and runs the Gateway
// on a cpp-httplib server (SSLServer with --cert-file/--key-file).
// Credentials: --access-key/--secret-key or, better (no secret in the
// process arguments), SLICEFS_GATEWAY_ACCESS_KEY / SLICEFS_GATEWAY_SECRET_KEY.
#include <httplib.h>
#include <sys/socket.h>

#include <cstdlib>
#include <thread>

#include "cli/command.h"
#include "gateway/server.h"
#include "service/service.h"

namespace slicefs::gateway {
namespace {

struct GatewayArgs {
  service::ServiceArgs svc;
  bool multiBuckets = false, keepEtag = false;
  std::string accessKey, secretKey;
  size_t threads = 32;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// httplib::Server with a way to stop accepting while requests go on:
// shutting the listening socket down ends the accept loop (which closes the
// socket), but leaves svr_sock_ set, so responses in progress keep writing.
template <class Base>
class Listener : public Base {
 public:
  using Base::Base;
  void StopAccepting() {
    socket_t s = this->svr_sock_;
    if (s != INVALID_SOCKET) ::shutdown(s, SHUT_RDWR);
  }
  // Makes every connection end after its current write (httplib checks
  // svr_sock_ between blocks); the accept loop has closed the socket.
  void AbortConnections() { this->svr_sock_ = INVALID_SOCKET; }
};

class GatewayServer : public service::Server {
 public:
  GatewayServer(service::Service& svc, const GatewayArgs& a) : svc_(svc), fs_(svc.fs()), args_(a) {}
  ~GatewayServer() override { Stop(); }

  Result<std::string> Start() override {
    ServerOptions so;
    so.accessKey = args_.accessKey;
    so.secretKey = args_.secretKey;
    so.gw.multiBuckets = args_.multiBuckets;
    so.gw.keepEtag = args_.keepEtag;
    gw_ = std::make_unique<Gateway>(fs_, svc_.volume().format().name, so, &svc_.inflight(), &svc_.requests());
    if (svc_.tls()) {
      auto ssl = std::make_unique<Listener<httplib::SSLServer>>(svc_.tls()->certFile.c_str(), svc_.tls()->keyFile.c_str());
      if (!ssl->is_valid()) return Err(EINVAL, "the TLS certificate or key cannot be used");
      stopAccepting_ = [p = ssl.get()] { p->StopAccepting(); };
      abort_ = [p = ssl.get()] { p->AbortConnections(); };
      srv_ = std::move(ssl);
    } else {
      auto plain = std::make_unique<Listener<httplib::Server>>();
      stopAccepting_ = [p = plain.get()] { p->StopAccepting(); };
      abort_ = [p = plain.get()] { p->AbortConnections(); };
      srv_ = std::move(plain);
    }
    const size_t threads = args_.threads;
    srv_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    gw_->Install(*srv_);
    ASSIGN_OR_RETURN(auto hp, service::ParseAddress(args_.svc.address));
    auto [host, port] = hp;
    if (port == 0) {
      port = srv_->bind_to_any_port(host);
      if (port <= 0) return Err(EADDRNOTAVAIL, "cannot listen on " + args_.svc.address);
    } else if (!srv_->bind_to_port(host, port)) {
      return Err(EADDRINUSE, "cannot listen on " + args_.svc.address + " (in use, or not a local address)");
    }
    thread_ = std::thread([this] { srv_->listen_after_bind(); });
    return host + ":" + std::to_string(port);
  }
  void StopAccepting() override {
    if (stopAccepting_) stopAccepting_();
  }
  void Stop() override {
    if (!srv_) return;
    StopAccepting();
    abort_();
    if (thread_.joinable()) thread_.join();  // the accept loop ends, then its workers
    srv_.reset();
  }

 private:
  service::Service& svc_;
  PathFs fs_;
  GatewayArgs args_;
  std::unique_ptr<Gateway> gw_;
  std::unique_ptr<httplib::Server> srv_;
  std::function<void()> stopAccepting_, abort_;
  std::thread thread_;
};

void Setup(CLI::App& app) {
  auto a = std::make_shared<GatewayArgs>();
  auto* cmd = app.add_subcommand("gateway", "Serve a volume as an S3-compatible endpoint");
  service::AddServiceFlags(cmd, a->svc);
  cmd->add_flag("--multi-buckets", a->multiBuckets,
                "top-level directories are buckets (default: one bucket named after the volume)");
  cmd->add_flag("--keep-etag", a->keepEtag,
                "compute and keep the MD5 ETag of files written through a mount on their first GET/HEAD");
  cmd->add_option("--access-key", a->accessKey, "access key (default: $SLICEFS_GATEWAY_ACCESS_KEY)");
  cmd->add_option("--secret-key", a->secretKey,
                  "secret key (default: $SLICEFS_GATEWAY_SECRET_KEY; visible in ps when given here)");
  cmd->add_option("--threads", a->threads, "request worker threads (one per open connection)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->callback([a] {
    if (a->accessKey.empty()) a->accessKey = Env("SLICEFS_GATEWAY_ACCESS_KEY");
    if (a->secretKey.empty()) a->secretKey = Env("SLICEFS_GATEWAY_SECRET_KEY");
    if (a->accessKey.empty() || a->secretKey.empty())
      throw cli::CommandError(
          "no credentials: set SLICEFS_GATEWAY_ACCESS_KEY and SLICEFS_GATEWAY_SECRET_KEY (or --access-key/--secret-key)");
    int rc = service::RunService(a->svc, "gateway", [a](service::Service& s) -> Result<std::unique_ptr<service::Server>> {
      return std::unique_ptr<service::Server>(new GatewayServer(s, *a));
    });
    if (rc != 0) throw cli::CommandError("the gateway ended with errors", rc);
  });
}

}  // namespace

REGISTER_COMMAND("gateway", Setup);

}  // namespace slicefs::gateway
