// The life of a network service process (see service.h).
#include "service/service.h"

#include <grp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/metrics_server.h"
#include "cli/serve_common.h"
#include "common/metrics.h"
#include "common/paths.h"
#include "common/size.h"
#include "common/version.h"
#include "service/stop_signal.h"
#include "vfs/backup.h"

namespace slicefs::service {

using cli::CommandError;

namespace {
// cli::Check without main.cc (so that service_tests link): a setup error
// becomes the one-line CommandError.
template <class T>
T Need(Result<T> r, const std::string& what = "") {
  if (!r) throw CommandError(what.empty() ? r.error().message() : what + ": " + r.error().message());
  return std::move(*r);
}
}  // namespace

void AddServiceFlags(CLI::App* c, ServiceArgs& a) {
  c->add_option("META-URL", a.metaUrl, "metadata engine URL, e.g. sqlite3:///path/vol.db")->required();
  c->add_option("ADDRESS", a.address, "HOST:PORT to serve at, e.g. 127.0.0.1:9007")->required();
  c->add_option("--cert-file", a.certFile, "TLS certificate (PEM); with --key-file, serve HTTPS");
  c->add_option("--key-file", a.keyFile, "TLS private key (PEM, unencrypted)");
  c->add_option("--cache-dir", a.cacheDir, "disk cache directory (default ~/.slicefs/cache)");
  c->add_option("--cache-size", a.cacheSize,
                "disk cache limit (a plain number is MiB; or 512K, 10G); default 10G, none for `file` storage unless given");
  c->add_option("--buffer-size", a.bufferSize, "write buffer limit (MiB, or with K/M/G/T)")->capture_default_str();
  c->add_option("--max-uploads", a.maxUploads, "concurrent block uploads")->capture_default_str()->check(CLI::Range(1, 1000));
  c->add_flag("--read-only", a.readOnly, "serve read-only: every change is refused");
  c->add_option("--log", a.logFile, "log file, rotated at 64 MiB, 4 files kept (default: stderr)");
  c->add_option("--log-level", a.logLevel, "trace, debug, info, warn, error or off")->capture_default_str();
  c->add_option("--heartbeat", a.heartbeat, "session heartbeat, seconds")->capture_default_str()->check(CLI::Range(1, 3600));
  c->add_option("--backup-meta", a.backupMeta,
                "interval of automatic metadata backups into {volume}/meta/ (e.g. 1h, 30m; 0: off)")
      ->capture_default_str();
  c->add_option("--metrics", a.metrics,
                "serve Prometheus metrics at http://ADDR/metrics (a taken port moves to the next free one)")
      ->capture_default_str();
  c->add_flag("--no-metrics", a.noMetrics, "do not serve metrics");
  c->add_option("--shutdown-timeout", a.shutdownTimeout,
                "on SIGTERM/SIGINT, seconds in-flight requests get to finish before they are aborted")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  c->add_option("--umask", a.umask, "umask (octal) of created files and directories")->capture_default_str();
}

Result<std::pair<std::string, int>> ParseAddress(const std::string& addr) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
    return Err(EINVAL, "bad address '" + addr + "': expected HOST:PORT, e.g. 127.0.0.1:9007");
  }
  std::string host = addr.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string p = addr.substr(colon + 1);
  int port = 0;
  for (char ch : p) {
    if (ch < '0' || ch > '9' || port > 65535) return Err(EINVAL, "bad port in address '" + addr + "'");
    port = port * 10 + (ch - '0');
  }
  if (port > 65535) return Err(EINVAL, "bad port in address '" + addr + "' (0-65535)");
  return std::make_pair(host, port);
}

RequestMetrics::RequestMetrics(std::string kind) : kind_(std::move(kind)) {
  auto& r = MetricsRegistry::Global();
  const std::string name = "slicefs_" + kind_ + "_bytes_total";
  in_ = &r.counter(name, "Request and response body bytes", {{"direction", "in"}});
  out_ = &r.counter(name, "Request and response body bytes", {{"direction", "out"}});
}

void RequestMetrics::Observe(std::string_view method, int status, double seconds, uint64_t bytesIn,
                             uint64_t bytesOut) {
  auto& r = MetricsRegistry::Global();
  const std::string m(method);
  r.counter("slicefs_" + kind_ + "_requests_total", "Requests answered, by method and status code",
            {{"method", m}, {"code", std::to_string(status)}})
      .Add();
  r.histogram("slicefs_" + kind_ + "_request_duration_seconds", "Time to answer a request", {{"method", m}})
      .Observe(seconds);
  in_->Add(bytesIn);
  out_->Add(bytesOut);
}

PathFs Service::fs() { return PathFs(vfs(), ctx_, umask_); }

void Service::RequestStop() {
  if (stop_) stop_();
}

namespace {

Ctx ProcessCtx() {
  Ctx c;
  c.uid = getuid();
  c.gid = getgid();
  c.pid = static_cast<uint32_t>(getpid());
  gid_t groups[256];
  int n = getgroups(256, groups);
  for (int i = 0; i < n; i++) c.gids.push_back(groups[i]);
  return c;
}

uint32_t ParseUmask(const std::string& s) {
  uint32_t v = 0;
  if (s.empty() || s.size() > 4) throw CommandError("bad --umask '" + s + "': an octal number such as 022");
  for (char ch : s) {
    if (ch < '0' || ch > '7') throw CommandError("bad --umask '" + s + "': an octal number such as 022");
    v = v * 8 + (ch - '0');
  }
  return v & 0777;
}

VolumeOptions ServiceVolumeOptions(const ServiceArgs& a) {
  VolumeOptions vo;
  vo.readOnly = a.readOnly;
  vo.meta.heartbeatSec = a.heartbeat;
  vo.data.maxUploads = a.maxUploads;
  vo.data.bufferSize = Need(ParseSize(a.bufferSize, kMiB, "buffer size"));
  vo.data.cacheSize = Need(ParseSize(a.cacheSize.empty() ? "10G" : a.cacheSize, kMiB, "cache size"));
  vo.data.cacheDir = a.cacheDir.empty() ? DefaultCacheDir() : a.cacheDir;
  vo.cacheLocalStorage = !a.cacheSize.empty();
  return vo;
}

// Unregisters the data-layer series on every return (they read the volume).
struct DataMetricsScope {
  bool on = false;
  ~DataMetricsScope() {
    if (on) cli::UnregisterDataMetrics();
  }
};

}  // namespace

int RunService(const ServiceArgs& a, const std::string& kind,
               const std::function<Result<std::unique_ptr<Server>>(Service&)>& makeServer) {
  StopSignal stop;  // before any thread starts
  cli::SetupLogging(a.logFile, a.logLevel);
  Service svc(a, kind);
  svc.umask_ = ParseUmask(a.umask);
  svc.ctx_ = ProcessCtx();
  svc.stop_ = [&stop] { stop.Trigger(); };
  Need(ParseAddress(a.address));
  svc.tls_ = Need(LoadTls(a.certFile, a.keyFile));
  auto backupEvery = Need(ParseBackupInterval(a.backupMeta));
  const VolumeOptions vo = ServiceVolumeOptions(a);
  svc.vol_ = Need(Volume::Open(a.metaUrl, vo));
  Vfs& vfs = svc.vfs();
  vfs.SetOwnerUid(getuid());
  const std::string volName = svc.vol_->format().name;

  DataMetricsScope dataMetrics;
  cli::RegisterProcessMetrics();
  cli::RegisterDataMetrics(vfs);
  dataMetrics.on = true;
  std::unique_ptr<cli::MetricsServer> metrics;
  if (!a.noMetrics) {
    metrics = Need(cli::MetricsServer::Start(a.metrics, {{"vol_name", volName}, {"mp", kind}}),
                         "metrics at " + a.metrics);
    spdlog::info("metrics at http://{}/metrics", metrics->address());
  }
  std::unique_ptr<ObjectStore> backupStore;
  std::unique_ptr<MetaBackup> backup;
  if (!a.readOnly && backupEvery.count() > 0) {
    auto bs = Volume::OpenStorage(svc.vol_->format(), /*plain=*/true);
    if (!bs) {
      spdlog::warn("metadata backups disabled: {}", bs.error().ToString());
    } else {
      std::error_code ec;
      std::filesystem::create_directories(vo.data.cacheDir, ec);
      backupStore = std::move(*bs);
      backup = std::make_unique<MetaBackup>(vfs.meta().kv(), *backupStore, volName, backupEvery, vo.data.cacheDir);
      backup->Start();
    }
  }

  auto server = Need(makeServer(svc));
  const std::string bound = Need(server->Start(), kind + " at " + a.address);
  SessionInfo si;
  si.hostname = cli::Hostname();
  si.mountPoint = kind;  // as JuiceFS lists its gateway and webdav sessions
  si.processId = static_cast<uint32_t>(getpid());
  si.version = kVersion;
  si.kind = kind;
  si.address = bound;
  Status st = vfs.meta().NewSession(si);
  if (!st.ok() && !(a.readOnly && st.is(EROFS))) {
    server->Stop();
    throw CommandError(st.WithContext("registering session").message());
  }
  const char* scheme = svc.tls_ ? "https" : "http";
  std::fprintf(stderr, "slicefs %s: serving %s at %s://%s (pid %d); SIGTERM or Ctrl-C to stop\n", kind.c_str(),
               volName.c_str(), scheme, bound.c_str(), getpid());
  std::fflush(stderr);
  spdlog::info("{}: serving {} at {}://{}", kind, volName, scheme, bound);

  const int sig = stop.Wait();
  spdlog::info("{}: {}; stopping (in-flight requests get {} s)", kind, sig ? strsignal(sig) : "stop requested",
               a.shutdownTimeout);
  server->StopAccepting();
  size_t left = svc.inflight_.Drain(std::chrono::seconds(a.shutdownTimeout), std::chrono::seconds(5));
  if (left > 0) spdlog::warn("{}: {} requests still running after the abort; closing them", kind, left);
  server->Stop();
  server.reset();
  backup.reset();
  Status fl = vfs.FlushAll();
  if (!fl.ok()) spdlog::error("flush at exit: {}", fl.ToString());
  Status cs = vfs.meta().CloseSession();
  if (!cs.ok()) spdlog::warn("closing session: {}", cs.ToString());
  metrics.reset();
  cli::UnregisterDataMetrics();
  dataMetrics.on = false;
  svc.vol_.reset();
  spdlog::info("{} process exiting", kind);
  return fl.ok() ? 0 : 1;
}

}  // namespace slicefs::service
