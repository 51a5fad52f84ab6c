// Incremental MD5 / SHA-256 over OpenSSL EVP, for hashing request bodies
// while they stream (ETags, x-amz-content-sha256, chunk signatures).
// One Digest per stream; not thread-safe; movable, not copyable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;
struct evp_md_st;

namespace slicefs::gateway {

class Digest {
 public:
  static Digest Md5();
  static Digest Sha256();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  ~Digest();
  void Update(std::string_view data);
  // Raw digest bytes; the digest restarts empty afterwards.
  std::string Final();
  std::string FinalHex();

 private:
  explicit Digest(const evp_md_st* md);
  const evp_md_st* md_;
  evp_md_ctx_st* ctx_;
};

}  // namespace slicefs::gateway
