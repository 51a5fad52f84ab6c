// Serves the process's metrics registry over HTTP for Prometheus:
// GET /metrics returns the text exposition format with the given labels
// (volume name, mount point) on every series. Also registers the process
// gauges (CPU seconds, resident memory, threads, start time).
//
// Threading: the server answers on its own threads; Stop (or destruction)
// waits for them. Errors: EINVAL for a malformed address, EADDRINUSE when no
// port from the given one up to 100 above it can be bound.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/metrics.h"
#include "common/status.h"

namespace httplib {
class Server;
}

namespace slicefs::cli {

class MetricsServer {
 public:
  // addr is "HOST:PORT"; a taken port moves on to the next free one.
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& addr, MetricLabels labels);
  ~MetricsServer();
  // The address actually bound, "HOST:PORT".
  const std::string& address() const { return address_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
};

// Process metrics (CPU, RSS, threads, start time) into `r`; idempotent.
void RegisterProcessMetrics(MetricsRegistry& r = MetricsRegistry::Global());

}  // namespace slicefs::cli
