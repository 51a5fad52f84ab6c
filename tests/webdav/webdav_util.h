// Test helper: a real `slicefs webdav` process over a formatted volume (the
// volume of a TestMount, so a test can also mount it), started with
// fork+exec, waited for until it answers, and stopped with SIGTERM (its
// exit code is checked) or SIGKILL on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "support/mount.h"

namespace slicefs::testing {

class DavProcess {
 public:
  DavProcess() = default;
  ~DavProcess();  // SIGKILL + reap if still running
  DavProcess(const DavProcess&) = delete;
  DavProcess& operator=(const DavProcess&) = delete;

  // Starts `slicefs webdav META 127.0.0.1:PORT --log LOG ...` (with
  // --no-metrics unless `extra` has --metrics)
  // with `env` added to the environment; returns once it accepts
  // connections (at most 60 s).
  Status Start(const std::string& metaUrl, const std::string& logFile, const std::vector<std::string>& extra = {},
               const std::map<std::string, std::string>& env = {});
  // SIGTERM, then waits: its exit code (128+signal), or -1 on timeout.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(60));

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// curl with `args` (it gets -s -S); stdout+stderr into *out. Returns the
// exit code.
int Curl(const std::vector<std::string>& args, std::string* out);
// The HTTP status of a curl request (-o /dev/null -w %{http_code}), or -1.
int CurlStatus(const std::vector<std::string>& args);

}  // namespace slicefs::testing
