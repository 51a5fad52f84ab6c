#include "common/tls_options.h"

#include <unistd.h>

namespace slicefs {

Result<TlsOptions> TlsOptions::Take(std::map<std::string, std::string>& query, const std::string& where) {
  TlsOptions t;
  auto take = [&](std::string* out, std::initializer_list<const char*> names) {
    for (const char* n : names) {
      auto it = query.find(n);
      if (it == query.end()) continue;
      *out = it->second;
      query.erase(it);
    }
  };
  take(&t.caFile, {"tls-cacert-file", "cacert"});
  take(&t.certFile, {"tls-cert-file", "cert"});
  take(&t.keyFile, {"tls-key-file", "key"});
  take(&t.serverName, {"tls-server-name", "server-name"});
  std::string insecure;
  take(&insecure, {"insecure-skip-verify"});
  if (insecure == "true" || insecure == "1") t.insecureSkipVerify = true;
  else if (!insecure.empty() && insecure != "false" && insecure != "0")
    return Err(EINVAL, "insecure-skip-verify must be true or false in '" + where + "'");
  for (const std::string* f : {&t.caFile, &t.certFile, &t.keyFile}) {
    if (!f->empty() && ::access(f->c_str(), R_OK) != 0)
      return Err(EINVAL, "cannot read TLS file " + *f + " named in '" + where + "'");
  }
  if (t.certFile.empty() != t.keyFile.empty())
    return Err(EINVAL, "a client certificate needs both tls-cert-file and tls-key-file in '" + where + "'");
  return t;
}

}  // namespace slicefs
