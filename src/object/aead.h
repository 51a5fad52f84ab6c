// Authenticated encryption for encrypted volumes (docs/formats.md,
// "Encryption"): AES-256-GCM or ChaCha20-Poly1305 through OpenSSL's EVP
// interface, 32-byte keys, 12-byte nonces, 16-byte tags. Stateless and
// thread-safe. Errors: EINVAL for a bad key/nonce size, EBADMSG when the tag
// does not verify (tampered data, wrong key or wrong AAD), EIO for an
// OpenSSL failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slicefs {

enum class AeadAlgo : uint8_t { kAes256Gcm = 1, kChaCha20Poly1305 = 2 };

inline constexpr size_t kAeadKeyLen = 32;
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kAeadTagLen = 16;

// "aes256gcm-rsa" | "chacha20-rsa" (the names `format --encrypt-algo` takes).
Result<AeadAlgo> ParseEncryptAlgo(std::string_view name);
const char* EncryptAlgoName(AeadAlgo a);

// Appends ciphertext || tag of `plain` to *out (which may hold a header).
Status AeadSeal(AeadAlgo algo, std::string_view key, std::string_view nonce, std::string_view aad,
                std::string_view plain, std::string* out);
// `sealed` is ciphertext || tag; returns the plaintext or EBADMSG.
Result<std::string> AeadOpen(AeadAlgo algo, std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view sealed);

// n bytes from OpenSSL's CSPRNG (RAND_bytes); aborts the process if it fails.
std::string RandomBytes(size_t n);

}  // namespace slicefs
