// The RSA key of an encrypted volume (docs/formats.md, "Encryption"): wraps
// and unwraps per-object data keys with RSA-OAEP (SHA-256, MGF1-SHA-256),
// and derives secondary keys (the disk cache's) from the private key.
//
// The volume format stores the private key as a passphrase-protected PEM;
// the passphrase comes from SLICEFS_RSA_PASSPHRASE and is never stored.
// Thread-safe: an RsaKey is immutable after construction (OpenSSL 3 allows
// concurrent use of one EVP_PKEY with a context per operation).
// Errors: EACCES for a missing or wrong passphrase, EINVAL for a PEM that is
// not an RSA private key of at least 2048 bits, EBADMSG when a wrapped key
// does not unwrap (another key, or altered), EIO for OpenSSL failures.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace slicefs {

inline constexpr const char* kRsaPassphraseEnv = "SLICEFS_RSA_PASSPHRASE";

class RsaKey {
 public:
  // Parses a PEM private key; `passphrase` decrypts an encrypted PEM.
  static Result<std::shared_ptr<const RsaKey>> FromPem(std::string_view pem, std::string_view passphrase);
  // True when the PEM is passphrase-protected (parsing it needs one).
  static bool PemIsEncrypted(std::string_view pem);
  // The key as a PKCS#8 PEM encrypted with AES-256-CBC under `passphrase`.
  Result<std::string> ProtectedPem(std::string_view passphrase) const;
  ~RsaKey();
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;

  Result<std::string> Wrap(std::string_view dataKey) const;
  Result<std::string> Unwrap(std::string_view wrapped) const;
  size_t wrappedSize() const { return modulusBytes_; }
  // SHA-256 of the public key (DER): equal for the same key however stored.
  const std::string& fingerprint() const { return fingerprint_; }
  // 32 bytes from HKDF-SHA-256 over the private key (DER) with salt and info.
  Result<std::string> DeriveKey(std::string_view salt, std::string_view info) const;

 private:
  explicit RsaKey(EVP_PKEY* k) : pkey_(k) {}
  EVP_PKEY* pkey_;
  size_t modulusBytes_ = 0;
  std::string fingerprint_;
};

// The key of a volume format's `encryptKey` PEM with the passphrase from
// SLICEFS_RSA_PASSPHRASE; cached per process (a few entries) so that the
// stores of one volume share one parsed key. One-line errors saying what to set.
Result<std::shared_ptr<const RsaKey>> LoadVolumeKey(const std::string& pem);

}  // namespace slicefs
