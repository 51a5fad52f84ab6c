#include "gateway/digest.h"

#include <openssl/evp.h>

#include <utility>

#include "object/sigv4.h"

namespace slicefs::gateway {

Digest::Digest(const EVP_MD* md) : md_(md), ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, md_, nullptr); }
Digest Digest::Md5() { return Digest(EVP_md5()); }
Digest Digest::Sha256() { return Digest(EVP_sha256()); }
Digest::Digest(Digest&& o) noexcept : md_(o.md_), ctx_(std::exchange(o.ctx_, nullptr)) {}
Digest& Digest::operator=(Digest&& o) noexcept {
  if (this != &o) {
    if (ctx_) EVP_MD_CTX_free(ctx_);
    md_ = o.md_;
    ctx_ = std::exchange(o.ctx_, nullptr);
  }
  return *this;
}
Digest::~Digest() {
  if (ctx_) EVP_MD_CTX_free(ctx_);
}
void Digest::Update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
std::string Digest::Final() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, md, &len);
  EVP_DigestInit_ex(ctx_, md_, nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}
std::string Digest::FinalHex() { return sigv4::Hex(Final()); }

}  // namespace slicefs::gateway
