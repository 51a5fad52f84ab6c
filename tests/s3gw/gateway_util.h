// Test helper: a `slicefs gateway` process on a free loopback port, with its
// credentials in the environment (SLICEFS_GATEWAY_*), its output in a log
// file; stopped with SIGTERM (then SIGKILL after 10 s) on destruction.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace slicefs::testing {

class GatewayProcess {
 public:
  static constexpr const char* kAccessKey = "gwtestkey";
  static constexpr const char* kSecretKey = "gw/test+secret";
  // Starts the gateway on metaUrl and waits (up to 20 s) until it accepts
  // connections. extra: more arguments (--multi-buckets, ...).
  static Result<std::unique_ptr<GatewayProcess>> Start(const std::string& metaUrl,
                                                       const std::vector<std::string>& extra = {},
                                                       const std::string& accessKey = kAccessKey,
                                                       const std::string& secretKey = kSecretKey);
  ~GatewayProcess();
  // SIGTERM and wait: the exit code (128+signal if killed), -1 on timeout.
  int Stop();
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const;

 private:
  GatewayProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string logPath_;
};

// A python3 that imports boto3 ("" if none), and the AWS CLI ("" if none).
std::string PythonWithBoto3();
std::string AwsCli();

}  // namespace slicefs::testing
