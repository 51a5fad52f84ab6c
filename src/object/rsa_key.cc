#include "object/rsa_key.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace slicefs {

namespace {

struct PassArg {
  std::string_view pass;
  bool asked = false;
};

// OpenSSL's PEM password callback: hands over the passphrase (none: fail).
int PassCallback(char* buf, int size, int /*rwflag*/, void* u) {
  auto* a = static_cast<PassArg*>(u);
  a->asked = true;
  if (a->pass.empty() || a->pass.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, a->pass.data(), a->pass.size());
  return static_cast<int>(a->pass.size());
}

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

EVP_PKEY* ReadPem(std::string_view pem, PassArg* arg) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return PEM_read_bio_PrivateKey(bio.get(), nullptr, PassCallback, arg);
}

PkeyCtx OaepCtx(EVP_PKEY* k, bool encrypt) {
  PkeyCtx c(EVP_PKEY_CTX_new(k, nullptr));
  if (!c) return nullptr;
  int ok = encrypt ? EVP_PKEY_encrypt_init(c.get()) : EVP_PKEY_decrypt_init(c.get());
  ok = ok > 0 && EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_PKCS1_OAEP_PADDING) > 0 &&
       EVP_PKEY_CTX_set_rsa_oaep_md(c.get(), EVP_sha256()) > 0 &&
       EVP_PKEY_CTX_set_rsa_mgf1_md(c.get(), EVP_sha256()) > 0;
  return ok ? std::move(c) : nullptr;
}

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

RsaKey::~RsaKey() { EVP_PKEY_free(pkey_); }

bool RsaKey::PemIsEncrypted(std::string_view pem) {
  PassArg arg;
  EVP_PKEY* k = ReadPem(pem, &arg);
  EVP_PKEY_free(k);
  return arg.asked;
}

Result<std::shared_ptr<const RsaKey>> RsaKey::FromPem(std::string_view pem, std::string_view passphrase) {
  PassArg arg{passphrase};
  EVP_PKEY* k = ReadPem(pem, &arg);
  if (!k) {
    if (arg.asked && passphrase.empty())
      return Err(EACCES, std::string("the RSA key is passphrase-protected: set ") + kRsaPassphraseEnv);
    if (arg.asked) return Err(EACCES, std::string(kRsaPassphraseEnv) + " does not decrypt the RSA key (wrong passphrase)");
    return Err(EINVAL, "not a PEM private key");
  }
  std::shared_ptr<RsaKey> key(new RsaKey(k));
  if (!EVP_PKEY_is_a(k, "RSA")) return Err(EINVAL, "the PEM key is not an RSA key");
  if (EVP_PKEY_get_bits(k) < 2048)
    return Err(EINVAL, "the RSA key has " + std::to_string(EVP_PKEY_get_bits(k)) + " bits; use at least 2048");
  key->modulusBytes_ = static_cast<size_t>(EVP_PKEY_get_size(k));
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(k, &der);
  if (n <= 0) return Err(EIO, "cannot encode the RSA public key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLen = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(n), md, &mdLen, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (!ok) return Err(EIO, "SHA-256 failed");
  key->fingerprint_.assign(reinterpret_cast<char*>(md), mdLen);
  return std::shared_ptr<const RsaKey>(std::move(key));
}

Result<std::string> RsaKey::ProtectedPem(std::string_view passphrase) const {
  if (passphrase.empty()) return Err(EINVAL, "an empty passphrase cannot protect the RSA key");
  Bio bio(BIO_new(BIO_s_mem()));
  std::string pass(passphrase);
  if (!bio || !PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, EVP_aes_256_cbc(), pass.data(),
                                             static_cast<int>(pass.size()), nullptr, nullptr)) {
    OPENSSL_cleanse(pass.data(), pass.size());
    return Err(EIO, "cannot encrypt the RSA key with the passphrase");
  }
  OPENSSL_cleanse(pass.data(), pass.size());
  char* p = nullptr;
  long len = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<size_t>(len));
}

Result<std::string> RsaKey::Wrap(std::string_view dataKey) const {
  PkeyCtx c = OaepCtx(pkey_, true);
  size_t outLen = 0;
  if (!c || EVP_PKEY_encrypt(c.get(), nullptr, &outLen, U(dataKey), dataKey.size()) <= 0)
    return Err(EIO, "RSA-OAEP setup failed");
  std::string out(outLen, '\0');
  if (EVP_PKEY_encrypt(c.get(), reinterpret_cast<unsigned char*>(out.data()), &outLen, U(dataKey), dataKey.size()) <= 0)
    return Err(EIO, "RSA-OAEP wrap failed");
  out.resize(outLen);
  return out;
}

Result<std::string> RsaKey::Unwrap(std::string_view wrapped) const {
  PkeyCtx c = OaepCtx(pkey_, false);
  if (!c) return Err(EIO, "RSA-OAEP setup failed");
  std::string out(modulusBytes_, '\0');
  size_t outLen = out.size();
  if (wrapped.size() != modulusBytes_ ||
      EVP_PKEY_decrypt(c.get(), reinterpret_cast<unsigned char*>(out.data()), &outLen, U(wrapped), wrapped.size()) <= 0) {
    return Err(EBADMSG, "the data key does not unwrap with this RSA key (another key, or altered)");
  }
  out.resize(outLen);
  return out;
}

Result<std::string> RsaKey::DeriveKey(std::string_view salt, std::string_view info) const {
  unsigned char* der = nullptr;
  int n = i2d_PrivateKey(pkey_, &der);
  if (n <= 0) return Err(EIO, "cannot encode the RSA private key");
  PkeyCtx c(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::string out(32, '\0');
  size_t outLen = out.size();
  bool ok = c && EVP_PKEY_derive_init(c.get()) > 0 && EVP_PKEY_CTX_set_hkdf_md(c.get(), EVP_sha256()) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_salt(c.get(), U(salt), static_cast<int>(salt.size())) > 0 &&
            EVP_PKEY_CTX_set1_hkdf_key(c.get(), der, n) > 0 &&
            EVP_PKEY_CTX_add1_hkdf_info(c.get(), U(info), static_cast<int>(info.size())) > 0 &&
            EVP_PKEY_derive(c.get(), reinterpret_cast<unsigned char*>(out.data()), &outLen) > 0;
  OPENSSL_clear_free(der, static_cast<size_t>(n));
  if (!ok || outLen != 32) return Err(EIO, "HKDF failed");
  return out;
}

Result<std::shared_ptr<const RsaKey>> LoadVolumeKey(const std::string& pem) {
  const char* env = std::getenv(kRsaPassphraseEnv);
  std::string pass = env ? env : "";
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const RsaKey>> cache;  // pem + '\0' + passphrase
  std::string id = pem + '\0' + pass;
  {
    std::lock_guard lk(mu);
    if (auto it = cache.find(id); it != cache.end()) return it->second;
  }
  auto key = RsaKey::FromPem(pem, pass);
  if (!key) return Err(key.error().code(), "encrypted volume: " + key.error().message());
  std::lock_guard lk(mu);
  if (cache.size() >= 8) cache.clear();
  cache[id] = *key;
  return *key;
}

}  // namespace slicefs
