// slicefs webdav META-URL ADDRESS: serve a volume over WebDAV (classes 1
// and 2) until SIGTERM/SIGINT. The service plumbing (session, metrics,
// graceful stop, TLS) is src/service/; the protocol is dav_server.h.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/command.h"
#include "service/service.h"
#include "webdav/dav_server.h"
#include "webdav/http_server.h"

namespace slicefs::webdav {
namespace {

struct WebdavArgs {
  service::ServiceArgs svc;
  std::string user, password;
};

// The HTTP server together with the handler it calls.
class WebdavServer : public service::Server {
 public:
  WebdavServer(service::Service& svc, DavOptions o) : handler_(svc, std::move(o)), http_(svc, handler_) {}
  Result<std::string> Start() override { return http_.Start(); }
  void StopAccepting() override { http_.StopAccepting(); }
  void Stop() override { http_.Stop(); }

 private:
  DavHandler handler_;
  HttpServer http_;
};

void Run(WebdavArgs a) {
  if (const char* u = std::getenv("SLICEFS_WEBDAV_USER"); u && a.user.empty()) a.user = u;
  if (const char* p = std::getenv("SLICEFS_WEBDAV_PASSWORD"); p && a.password.empty()) {
    a.password = p;
  } else if (!a.password.empty()) {
    spdlog::warn("--password is visible to every user through ps; prefer SLICEFS_WEBDAV_PASSWORD");
  }
  if (a.user.empty() != a.password.empty()) {
    throw cli::CommandError(a.user.empty() ? "a password without --user: give both (or neither) for basic auth"
                                           : "--user without a password: set SLICEFS_WEBDAV_PASSWORD (or --password)");
  }
  DavOptions o{a.user, a.password};
  int rc = service::RunService(a.svc, "webdav", [o](service::Service& s) -> Result<std::unique_ptr<service::Server>> {
    return std::unique_ptr<service::Server>(std::make_unique<WebdavServer>(s, o));
  });
  if (rc != 0) throw cli::CommandError("webdav ended with errors (see the log)", rc);
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<WebdavArgs>();
  auto* c = app.add_subcommand("webdav", "serve a volume over WebDAV (META-URL ADDRESS)");
  service::AddServiceFlags(c, a->svc);
  c->add_option("--user", a->user, "basic-auth user name (or SLICEFS_WEBDAV_USER)");
  c->add_option("--password", a->password,
                "basic-auth password (visible in ps: prefer the SLICEFS_WEBDAV_PASSWORD environment variable)");
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("webdav", Setup);

}  // namespace slicefs::webdav
