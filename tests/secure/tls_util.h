// TLS test fixtures: a throwaway CA and a server certificate for 127.0.0.1
// made with the openssl command line, and the SLICEFS_TLS_* variables that
// make scripts/servers/start-*.sh start their server with TLS.
#pragma once

#include <string>

#include "common/status.h"

namespace slicefs::testing {

struct TestCerts {
  std::string ca;          // CA certificate (PEM)
  std::string serverCert;  // signed by ca; SAN IP:127.0.0.1, DNS:localhost
  std::string serverKey;
};

// Writes a fresh CA and server certificate into dir (readable by all, the
// key too: servers run as `nobody`).
Result<TestCerts> MakeTestCerts(const std::string& dir);

// Sets SLICEFS_TLS_CERT/KEY/CA for the scripts while alive.
class TlsServerEnv {
 public:
  explicit TlsServerEnv(const TestCerts& c);
  ~TlsServerEnv();
  TlsServerEnv(const TlsServerEnv&) = delete;
  TlsServerEnv& operator=(const TlsServerEnv&) = delete;
};

}  // namespace slicefs::testing
