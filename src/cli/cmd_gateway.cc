// slicefs gateway META-URL ADDRESS: serves the volume as an S3 endpoint
// (src/gateway/). Credentials from --access-key/--secret-key or, better (no
// secret in the process arguments), SLICEFS_GATEWAY_ACCESS_KEY and
// SLICEFS_GATEWAY_SECRET_KEY. Runs in the foreground with a session in the
// volume until SIGTERM/SIGINT, then stops accepting, lets in-flight requests
// finish, flushes and closes the session.
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/command.h"
#include "cli/metrics_server.h"
#include "common/version.h"
#include "gateway/server.h"
#include "vfs/path_fs.h"
#include "vfs/volume.h"

namespace slicefs::cli {
namespace {

struct GatewayArgs {
  std::string metaUrl, address;
  bool multiBuckets = false, keepEtag = false;
  std::string accessKey, secretKey, certFile, keyFile;
  std::string umask = "022";
  size_t threads = 32;
  std::string metrics = "127.0.0.1:9567";
  bool noMetrics = false;
  std::string cacheDir;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void RunGateway(GatewayArgs a) {
  if (a.accessKey.empty()) a.accessKey = Env("SLICEFS_GATEWAY_ACCESS_KEY");
  if (a.secretKey.empty()) a.secretKey = Env("SLICEFS_GATEWAY_SECRET_KEY");
  if (a.accessKey.empty() || a.secretKey.empty())
    throw CommandError("no credentials: set SLICEFS_GATEWAY_ACCESS_KEY and SLICEFS_GATEWAY_SECRET_KEY (or --access-key/--secret-key)");
  if (a.certFile.empty() != a.keyFile.empty()) throw CommandError("--cert-file and --key-file go together");
  size_t colon = a.address.rfind(':');
  if (colon == std::string::npos) throw CommandError("ADDRESS must be HOST:PORT, e.g. 127.0.0.1:9000");
  std::string host = a.address.substr(0, colon);
  int port = std::atoi(a.address.c_str() + colon + 1);
  if (host.empty() || port < 0 || port > 65535) throw CommandError("ADDRESS must be HOST:PORT, e.g. 127.0.0.1:9000");

  char* end = nullptr;
  unsigned long um = std::strtoul(a.umask.c_str(), &end, 8);
  if (a.umask.empty() || *end != '\0' || um > 0777) throw CommandError("--umask must be octal, e.g. 022");
  // SIGTERM/SIGINT are blocked before any thread starts (every thread
  // inherits the mask) and taken by a watcher thread that stops the server.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  VolumeOptions vo;
  vo.data.cacheDir = a.cacheDir;
  auto vol = Check(Volume::Open(a.metaUrl, vo), "opening the volume");
  Vfs& vfs = vol->vfs();
  char hn[256] = {0};
  gethostname(hn, sizeof(hn) - 1);
  SessionInfo si{hn, "s3 gateway " + a.address, static_cast<uint32_t>(getpid()), kVersion};
  Check(vfs.meta().NewSession(si), "registering the session");

  PathFs fs(vfs, Ctx::Root(), static_cast<uint32_t>(um));
  gateway::ServerOptions so;
  so.accessKey = a.accessKey;
  so.secretKey = a.secretKey;
  so.gw.multiBuckets = a.multiBuckets;
  so.gw.keepEtag = a.keepEtag;
  so.gw.umask = static_cast<uint32_t>(um);
  gateway::Gateway gw(fs, vol->format().name, so);
  RegisterProcessMetrics();
  std::unique_ptr<MetricsServer> metrics;
  if (!a.noMetrics) {
    auto ms = MetricsServer::Start(a.metrics, {{"vol_name", vol->format().name}, {"mp", "s3 gateway " + a.address}});
    if (!ms) throw CommandError("metrics: " + ms.error().message() + " (use --metrics HOST:PORT or --no-metrics)");
    metrics = std::move(*ms);
    spdlog::info("metrics at http://{}/metrics", metrics->address());
  }

  std::unique_ptr<httplib::Server> srv;
  if (!a.certFile.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(a.certFile.c_str(), a.keyFile.c_str());
    if (!ssl->is_valid()) throw CommandError("cannot load the TLS certificate or key (" + a.certFile + ", " + a.keyFile + ")");
    srv = std::move(ssl);
  } else {
    srv = std::make_unique<httplib::Server>();
  }
  const size_t threads = a.threads;
  srv->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  gw.Install(*srv);
  if (port == 0) {
    port = srv->bind_to_any_port(host);
    if (port <= 0) throw CommandError("cannot listen on " + a.address);
  } else if (!srv->bind_to_port(host, port)) {
    throw CommandError("cannot listen on " + a.address + " (in use, or not a local address)");
  }
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("gateway: signal {}, stopping", sig);
    srv->stop();
  });
  std::printf("slicefs gateway: serving %s://%s:%d (%s)\n", a.certFile.empty() ? "http" : "https", host.c_str(), port,
              a.multiBuckets ? "multi-bucket" : ("bucket " + vol->format().name).c_str());
  std::fflush(stdout);
  bool ok = srv->listen_after_bind();
  if (watcher.joinable()) {
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
  }
  srv.reset();  // joins the worker threads: in-flight requests end first
  metrics.reset();
  Status fl = vfs.FlushAll();
  Status cs = vfs.meta().CloseSession();
  if (!fl.ok()) throw CommandError("flushing at exit: " + fl.ToString());
  if (!cs.ok()) spdlog::warn("closing the session: {}", cs.ToString());
  if (!ok) throw CommandError("the server stopped with an error");
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<GatewayArgs>();
  auto* cmd = app.add_subcommand("gateway", "Serve a volume as an S3-compatible endpoint");
  cmd->add_option("META-URL", a->metaUrl, "the volume's metadata URL")->required();
  cmd->add_option("ADDRESS", a->address, "HOST:PORT to listen on (port 0: any free port)")->required();
  cmd->add_flag("--multi-buckets", a->multiBuckets, "top-level directories are buckets (default: one bucket named after the volume)");
  cmd->add_flag("--keep-etag", a->keepEtag, "compute and keep the MD5 ETag of files written through a mount on first GET/HEAD");
  cmd->add_option("--access-key", a->accessKey, "access key (default: $SLICEFS_GATEWAY_ACCESS_KEY)");
  cmd->add_option("--secret-key", a->secretKey, "secret key (default: $SLICEFS_GATEWAY_SECRET_KEY; visible in ps when given here)");
  cmd->add_option("--cert-file", a->certFile, "TLS certificate (PEM): serve HTTPS");
  cmd->add_option("--key-file", a->keyFile, "TLS private key (PEM)");
  cmd->add_option("--umask", a->umask, "umask of created files and directories (octal)")->capture_default_str();
  cmd->add_option("--threads", a->threads, "request worker threads")->capture_default_str()->check(CLI::Range(1, 1024));
  cmd->add_option("--metrics", a->metrics,
                  "serve Prometheus metrics at http://ADDR/metrics (a taken port moves to the next free one)")
      ->capture_default_str();
  cmd->add_flag("--no-metrics", a->noMetrics, "serve no metrics");
  cmd->add_option("--cache-dir", a->cacheDir, "disk cache directory for blocks (default: none, memory cache only)");
  cmd->callback([a] { RunGateway(*a); });
}

}  // namespace

REGISTER_COMMAND("gateway", Setup);

}  // namespace slicefs::cli
