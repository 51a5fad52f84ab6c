// An s3rver instance for tests, started and stopped through
// scripts/servers/start-s3rver.sh and stop.sh, in its own temp dir on a
// free loopback port. Credentials: S3RVER / S3RVER.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "support/test_util.h"

namespace slicefs::testing {

class S3Server {
 public:
  // Starts a server; error if s3rver is not installed or fails to start.
  static Result<std::unique_ptr<S3Server>> Start();
  // A server this process does not run (stop/restart do nothing): what
  // SharedS3Server returns when $SLICEFS_TEST_S3_ENDPOINT names one, e.g.
  // the S3 gateway of a volume (tests/gateway_s3_store_test.sh).
  static std::unique_ptr<S3Server> External(const std::string& endpoint);
  ~S3Server();  // stops the server and removes its data

  // "http://127.0.0.1:PORT".
  const std::string& endpoint() const { return endpoint_; }
  // A bucket URL on this server: endpoint + "/" + bucket.
  std::string bucketUrl(const std::string& bucket) const { return endpoint_ + "/" + bucket; }
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

  Status stop();     // stops the process (data kept)
  Status restart();  // starts it again on the same port
  bool running() const { return running_; }

 private:
  S3Server() : dir_("s3rver") {}
  TempDir dir_;
  std::string endpoint_;
  std::string port_;
  bool running_ = false;
};

// One server per test process, started on first use and stopped at exit
// ($SLICEFS_TEST_S3_ENDPOINT: that external server instead).
// Returns nullptr (with the reason in *why) when s3rver is unavailable.
S3Server* SharedS3Server(std::string* why = nullptr);

}  // namespace slicefs::testing
