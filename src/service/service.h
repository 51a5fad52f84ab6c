// The shared plumbing of a long-lived process that serves one volume over
// the network (`slicefs webdav`, `slicefs gateway`). A service command
// implements a Server over its HTTP library and hands RunService a factory
// for it; RunService does everything else, the way the mount does:
//
//   void Setup(CLI::App& app) {
//     auto a = std::make_shared<service::ServiceArgs>();
//     auto* c = app.add_subcommand("webdav", "...");
//     service::AddServiceFlags(c, *a);          // META-URL ADDRESS + shared flags
//     c->callback([a] {
//       int rc = service::RunService(*a, "webdav", [](service::Service& s) {
//         return MakeMyServer(s);               // Result<unique_ptr<Server>>
//       });
//       if (rc != 0) throw cli::CommandError("webdav ended with errors", rc);
//     });
//   }
//
// RunService, in order: blocks SIGTERM/SIGINT (before any thread starts),
// sets up logging (--log, --log-level), loads --cert-file/--key-file (both
// or neither, checked to match), opens the Volume (cache, buffer, uploads,
// --read-only), registers the data-layer and process metrics and serves
// them at --metrics (labels vol_name and mp=KIND), starts metadata backups
// (--backup-meta), builds the server and Start()s it, registers a session
// (listed by `slicefs status` with "kind": KIND and "address": the bound
// address; the meta background thread keeps its heartbeat and purges the
// trash as for a mount), prints one line "slicefs KIND: serving VOLUME at
// http[s]://ADDR (pid N)" on stderr, and waits. On SIGTERM/SIGINT it
// stops accepting (Server::StopAccepting), lets in-flight requests finish
// for --shutdown-timeout seconds, then makes them abort
// (Inflight::aborting(): handlers check it between body blocks and discard
// half-written data) and waits 5 s more, stops the server, flushes, closes
// the session, and returns 0 (1 if the flush failed).
//
// Handlers: hold `svc.inflight().Enter()` for the life of each request
// (answer 503 when the guard is invalid: the service is stopping), run file
// operations through svc.fs() (PathFs as this process's uid/gid with
// --umask), and record each request with svc.requests().Observe(...).
//
// Setup errors (bad flags, TLS files, volume, address) throw
// cli::CommandError with one line saying what is wrong; nothing is left
// registered. Threading: Service accessors are thread-safe; RunService runs
// on the main thread.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"
#include "service/inflight.h"
#include "service/tls.h"
#include "vfs/path_fs.h"
#include "vfs/volume.h"

namespace slicefs::service {

// The flags every service command shares (see AddServiceFlags).
struct ServiceArgs {
  std::string metaUrl;
  std::string address;  // HOST:PORT to serve at
  std::string cacheDir;
  std::string cacheSize;  // empty: 10G, and no disk cache for `file` storage
  std::string bufferSize = "300M";
  int maxUploads = 20;
  bool readOnly = false;
  std::string logFile;
  std::string logLevel = "info";
  int heartbeat = 12;
  std::string backupMeta = "1h";
  std::string metrics = "127.0.0.1:9567";
  bool noMetrics = false;
  std::string certFile, keyFile;
  int shutdownTimeout = 30;  // seconds in-flight requests get on SIGTERM
  std::string umask = "022";  // octal
};

// Adds META-URL, ADDRESS and the shared flags to `cmd`.
void AddServiceFlags(CLI::App* cmd, ServiceArgs& a);

// Splits "HOST:PORT" (HOST may be "[::1]"); EINVAL with a one-line reason.
Result<std::pair<std::string, int>> ParseAddress(const std::string& addr);

// Per-request metrics of a service: slicefs_KIND_requests_total{method,
// code}, slicefs_KIND_request_duration_seconds{method} and
// slicefs_KIND_bytes_total{direction="in"|"out"}.
class RequestMetrics {
 public:
  explicit RequestMetrics(std::string kind);
  void Observe(std::string_view method, int status, double seconds, uint64_t bytesIn, uint64_t bytesOut);

 private:
  std::string kind_;
  Counter* in_;
  Counter* out_;
};

class Service;

// What a service command implements over its HTTP library.
class Server {
 public:
  virtual ~Server() = default;
  // Binds and serves on threads of its own; returns the address bound
  // ("HOST:PORT"). Errors: one line (EADDRINUSE, EINVAL, ...).
  virtual Result<std::string> Start() = 0;
  // Closes the listening socket; requests in progress go on.
  virtual void StopAccepting() = 0;
  // Ends the server: closes what connections remain, joins its threads.
  virtual void Stop() = 0;
};

class Service {
 public:
  const ServiceArgs& args() const { return args_; }
  const std::string& kind() const { return kind_; }
  Volume& volume() { return *vol_; }
  Vfs& vfs() { return vol_->vfs(); }
  // nullopt: plain HTTP.
  const std::optional<TlsFiles>& tls() const { return tls_; }
  Inflight& inflight() { return inflight_; }
  RequestMetrics& requests() { return requests_; }
  // The path API as this process's credentials, with --umask.
  PathFs fs();
  const Ctx& ctx() const { return ctx_; }
  // Ends RunService's wait as a signal would (a fatal server error).
  void RequestStop();

 private:
  friend int RunService(const ServiceArgs&, const std::string&,
                        const std::function<Result<std::unique_ptr<Server>>(Service&)>&);
  Service(ServiceArgs a, std::string kind) : args_(std::move(a)), kind_(std::move(kind)), requests_(kind_) {}
  ServiceArgs args_;
  std::string kind_;
  std::unique_ptr<Volume> vol_;
  std::optional<TlsFiles> tls_;
  Inflight inflight_;
  RequestMetrics requests_;
  Ctx ctx_;
  uint32_t umask_ = 022;
  std::function<void()> stop_;
};

// The life of a service process (see the top of this file). Returns the
// exit code; throws cli::CommandError for setup errors.
int RunService(const ServiceArgs& a, const std::string& kind,
               const std::function<Result<std::unique_ptr<Server>>(Service&)>& makeServer);

}  // namespace slicefs::service
