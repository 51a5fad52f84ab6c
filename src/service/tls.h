// TLS certificate and key for a service's --cert-file/--key-file: both or
// neither. Load() reads both PEM files (at most 1 MiB each), checks with
// OpenSSL that the certificate and the private key parse and belong
// together, and keeps the PEM text (libmicrohttpd takes PEM in memory;
// cpp-httplib's SSLServer takes the paths, also kept).
//
// Errors: EINVAL "--cert-file given without --key-file" (and the reverse),
// the file's errno for an unreadable file, EINVAL naming the file that is
// not PEM, or "does not match" for a key of another certificate.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace slicefs::service {

struct TlsFiles {
  std::string certFile, keyFile;  // paths as given
  std::string certPem, keyPem;    // their content
};

// nullopt when neither path is given (plain HTTP).
Result<std::optional<TlsFiles>> LoadTls(const std::string& certFile, const std::string& keyFile);

}  // namespace slicefs::service
