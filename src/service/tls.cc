// Loading and checking a service's TLS certificate and key (see tls.h).
#include "service/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace slicefs::service {
namespace {

constexpr size_t kMaxPem = 1 << 20;

Result<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int e = errno ? errno : ENOENT;
    return Err(e, std::string(flag) + " " + path + ": " + std::strerror(e));
  }
  std::string s(kMaxPem + 1, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  if (s.size() > kMaxPem) return Err(EINVAL, std::string(flag) + " " + path + ": larger than 1 MiB, not a PEM file");
  return s;
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not a PEM file";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

Result<std::optional<TlsFiles>> LoadTls(const std::string& certFile, const std::string& keyFile) {
  if (certFile.empty() && keyFile.empty()) return std::optional<TlsFiles>();
  if (keyFile.empty()) return Err(EINVAL, "--cert-file given without --key-file: give both for TLS");
  if (certFile.empty()) return Err(EINVAL, "--key-file given without --cert-file: give both for TLS");
  TlsFiles t{certFile, keyFile, "", ""};
  ASSIGN_OR_RETURN(t.certPem, ReadPem(certFile, "--cert-file"));
  ASSIGN_OR_RETURN(t.keyPem, ReadPem(keyFile, "--key-file"));
  using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
  Bio cb(BIO_new_mem_buf(t.certPem.data(), static_cast<int>(t.certPem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return Err(EINVAL, "--cert-file " + certFile + ": no certificate (" + OpenSslError() + ")");
  Bio kb(BIO_new_mem_buf(t.keyPem.data(), static_cast<int>(t.keyPem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr),
                                                          EVP_PKEY_free);
  if (!key) {
    return Err(EINVAL, "--key-file " + keyFile + ": no unencrypted private key (" + OpenSslError() + ")");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Err(EINVAL, "--key-file " + keyFile + " does not match the certificate in " + certFile);
  }
  return std::optional<TlsFiles>(std::move(t));
}

}  // namespace slicefs::service
