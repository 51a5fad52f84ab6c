#include "object/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace slicefs {

namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const EVP_CIPHER* Cipher(AeadAlgo a) {
  return a == AeadAlgo::kAes256Gcm ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
}

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Key, nonce and AAD into a fresh context for one message.
Result<CipherCtx> Begin(AeadAlgo algo, std::string_view key, std::string_view nonce, std::string_view aad,
                        bool encrypt) {
  if (algo != AeadAlgo::kAes256Gcm && algo != AeadAlgo::kChaCha20Poly1305) {
    return Err(EINVAL, "unknown AEAD algorithm " + std::to_string(static_cast<int>(algo)));
  }
  if (key.size() != kAeadKeyLen || nonce.size() != kAeadNonceLen) return Err(EINVAL, "bad AEAD key or nonce size");
  CipherCtx c(EVP_CIPHER_CTX_new());
  if (!c) return Err(EIO, "EVP_CIPHER_CTX_new failed");
  int ok = EVP_CipherInit_ex(c.get(), Cipher(algo), nullptr, nullptr, nullptr, encrypt ? 1 : 0);
  ok = ok && EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(kAeadNonceLen), nullptr);
  ok = ok && EVP_CipherInit_ex(c.get(), nullptr, nullptr, U(key), U(nonce), encrypt ? 1 : 0);
  int n = 0;
  ok = ok && (aad.empty() || EVP_CipherUpdate(c.get(), nullptr, &n, U(aad), static_cast<int>(aad.size())));
  if (!ok) return Err(EIO, "AEAD setup failed");
  return c;
}

// EVP_CipherUpdate takes an int length: feed large buffers in pieces.
bool UpdateAll(EVP_CIPHER_CTX* c, std::string_view in, unsigned char* out) {
  constexpr size_t kStep = 1u << 30;
  size_t done = 0;
  while (done < in.size()) {
    size_t n = std::min(kStep, in.size() - done);
    int w = 0;
    if (!EVP_CipherUpdate(c, out + done, &w, U(in) + done, static_cast<int>(n)) || static_cast<size_t>(w) != n)
      return false;
    done += n;
  }
  return true;
}

}  // namespace

Result<AeadAlgo> ParseEncryptAlgo(std::string_view name) {
  if (name == "aes256gcm-rsa") return AeadAlgo::kAes256Gcm;
  if (name == "chacha20-rsa") return AeadAlgo::kChaCha20Poly1305;
  return Err(EINVAL, "unknown encryption algorithm '" + std::string(name) + "' (aes256gcm-rsa or chacha20-rsa)");
}

const char* EncryptAlgoName(AeadAlgo a) { return a == AeadAlgo::kAes256Gcm ? "aes256gcm-rsa" : "chacha20-rsa"; }

Status AeadSeal(AeadAlgo algo, std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view plain, std::string* out) {
  ASSIGN_OR_RETURN(CipherCtx c, Begin(algo, key, nonce, aad, true));
  const size_t base = out->size();
  out->resize(base + plain.size() + kAeadTagLen);
  auto* p = reinterpret_cast<unsigned char*>(out->data()) + base;
  int fin = 0;
  if (!UpdateAll(c.get(), plain, p) || !EVP_CipherFinal_ex(c.get(), p + plain.size(), &fin) ||
      !EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagLen), p + plain.size())) {
    out->resize(base);
    return Status::Error(EIO, "AEAD encryption failed");
  }
  return Status::OK();
}

Result<std::string> AeadOpen(AeadAlgo algo, std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view sealed) {
  if (sealed.size() < kAeadTagLen) return Err(EBADMSG, "ciphertext shorter than its tag");
  ASSIGN_OR_RETURN(CipherCtx c, Begin(algo, key, nonce, aad, false));
  std::string_view body = sealed.substr(0, sealed.size() - kAeadTagLen);
  std::string tag(sealed.substr(body.size()));
  std::string out(body.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (!UpdateAll(c.get(), body, p)) return Err(EIO, "AEAD decryption failed");
  if (!EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagLen), tag.data()))
    return Err(EIO, "AEAD decryption failed");
  int fin = 0;
  if (EVP_CipherFinal_ex(c.get(), p + body.size(), &fin) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return Err(EBADMSG, "authentication tag mismatch (data altered, or another key)");
  }
  return out;
}

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)) != 1) std::abort();
  return s;
}

}  // namespace slicefs
