#include "cli/metrics_server.h"

#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>

namespace slicefs::cli {

namespace {

// Field `n` (1-based) of /proc/self/stat, after the command name.
double ProcStatField(int n) {
  std::ifstream in("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream ss(all.substr(close + 2));
  std::string f;
  for (int i = 3; i <= n && ss >> f; i++) {
    if (i == n) return std::strtod(f.c_str(), nullptr);
  }
  return 0;
}

}  // namespace

void RegisterProcessMetrics(MetricsRegistry& r) {
  static const double start = static_cast<double>(std::time(nullptr));
  r.counterFn("process_cpu_seconds_total", "User and system CPU time of the process", {}, [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  });
  r.gaugeFn("process_resident_memory_bytes", "Resident memory of the process", {},
            [] { return ProcStatField(24) * static_cast<double>(sysconf(_SC_PAGESIZE)); });
  r.gaugeFn("process_threads", "Threads of the process", {}, [] { return ProcStatField(20); });
  r.gaugeFn("process_start_time_seconds", "Start time of the process (Unix seconds)", {}, [] { return start; });
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& addr, MetricLabels labels) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= addr.size()) {
    return Err(EINVAL, "bad metrics address '" + addr + "' (expected HOST:PORT, e.g. 127.0.0.1:9567)");
  }
  const std::string host = addr.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(addr.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port <= 0 || port > 65535) return Err(EINVAL, "bad port in metrics address '" + addr + "'");
  RegisterProcessMetrics();
  std::unique_ptr<MetricsServer> s(new MetricsServer());
  s->server_ = std::make_unique<httplib::Server>();
  // SO_REUSEADDR only: the library's default also sets SO_REUSEPORT, which
  // would let a second mount share (and steal requests on) a taken port.
  s->server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  auto shared = std::make_shared<MetricLabels>(std::move(labels));
  s->server_->Get("/metrics", [shared](const httplib::Request&, httplib::Response& res) {
    res.set_content(MetricsRegistry::Global().Prometheus(*shared), "text/plain; version=0.0.4; charset=utf-8");
  });
  int bound = -1;
  for (int p = port; p <= std::min(65535, port + 100); p++) {
    if (s->server_->bind_to_port(host, p)) {
      bound = p;
      break;
    }
  }
  if (bound < 0) {
    return Err(EADDRINUSE, "cannot listen for metrics on " + host + " ports " + std::to_string(port) + ".." +
                               std::to_string(std::min(65535, port + 100)) + " (use --metrics HOST:PORT or --no-metrics)");
  }
  s->address_ = host + ":" + std::to_string(bound);
  httplib::Server* srv = s->server_.get();
  s->thread_ = std::thread([srv] { srv->listen_after_bind(); });
  return s;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace slicefs::cli
