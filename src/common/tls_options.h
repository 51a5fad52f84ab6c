// TLS settings of a connection to a server (metadata engine or S3
// endpoint), taken from the query of its URL. Names follow JuiceFS's:
//
//   tls-cacert-file=PATH (alias cacert)     CA bundle that signs the server's certificate
//                                           (default: the system's)
//   tls-cert-file=PATH   (alias cert)       client certificate (mutual TLS)
//   tls-key-file=PATH    (alias key)        its private key
//   tls-server-name=NAME (alias server-name) name the certificate must carry
//                                           (default: the URL's host)
//   insecure-skip-verify=true               do not verify the server at all
//
// Certificates are always verified unless insecure-skip-verify says
// otherwise by name. Plain value type; no I/O except that Take() checks the
// named files are readable, so a typo fails at once with one line.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace slicefs {

struct TlsOptions {
  std::string caFile, certFile, keyFile, serverName;
  bool insecureSkipVerify = false;

  // Removes the options above from `query` and returns them. EINVAL when a
  // value is malformed or a file is not readable (`where` names the URL).
  static Result<TlsOptions> Take(std::map<std::string, std::string>& query, const std::string& where);
  bool any() const { return !caFile.empty() || !certFile.empty() || !keyFile.empty() || !serverName.empty() || insecureSkipVerify; }
};

// The hint appended to a certificate verification failure.
inline constexpr const char* kTlsVerifyHint =
    "(give the CA that signed it with ?tls-cacert-file=PATH, or opt out with ?insecure-skip-verify=true)";

}  // namespace slicefs
