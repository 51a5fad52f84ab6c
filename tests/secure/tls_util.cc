#include "secure/tls_util.h"

#include <sys/stat.h>

#include <cstdlib>

#include "support/mount.h"
#include "support/test_util.h"

namespace slicefs::testing {

Result<TestCerts> MakeTestCerts(const std::string& dir) {
  TestCerts c{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  const std::string ext = dir + "/san.cnf";
  if (!WriteFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n")) return Err(EIO, "cannot write " + ext);
  const std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
       dir + "/ca.key", "-out", c.ca, "-days", "2", "-subj", "/CN=slicefs test CA"},
      {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
       c.serverKey, "-out", dir + "/server.csr", "-subj", "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", dir + "/server.csr", "-CA", c.ca, "-CAkey", dir + "/ca.key",
       "-CAcreateserial", "-out", c.serverCert, "-days", "2", "-extfile", ext},
  };
  for (const auto& argv : steps) {
    std::string out;
    if (RunCommand(argv, &out) != 0) return Err(EIO, "openssl failed: " + out);
  }
  chmod(dir.c_str(), 0755);
  for (const auto& f : {c.ca, c.serverCert, c.serverKey}) chmod(f.c_str(), 0644);
  return c;
}

TlsServerEnv::TlsServerEnv(const TestCerts& c) {
  setenv("SLICEFS_TLS_CERT", c.serverCert.c_str(), 1);
  setenv("SLICEFS_TLS_KEY", c.serverKey.c_str(), 1);
  setenv("SLICEFS_TLS_CA", c.ca.c_str(), 1);
}

TlsServerEnv::~TlsServerEnv() {
  unsetenv("SLICEFS_TLS_CERT");
  unsetenv("SLICEFS_TLS_KEY");
  unsetenv("SLICEFS_TLS_CA");
}

}  // namespace slicefs::testing
