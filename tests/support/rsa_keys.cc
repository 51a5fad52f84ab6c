#include "support/rsa_keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace slicefs::testing {

std::string TestRsaPem(int which, const std::string& passphrase, int bits) {
  static std::mutex mu;
  struct Free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  static std::map<std::pair<int, int>, std::unique_ptr<EVP_PKEY, Free>> keys;  // for the process
  std::lock_guard lk(mu);
  auto& slot = keys[{which, bits}];
  if (!slot) slot.reset(EVP_RSA_gen(static_cast<unsigned>(bits)));
  EVP_PKEY* k = slot.get();
  if (!k) throw std::runtime_error("RSA key generation failed");
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pass = passphrase;
  int ok = passphrase.empty()
               ? PEM_write_bio_PKCS8PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PKCS8PrivateKey(bio, k, EVP_aes_256_cbc(), pass.data(), static_cast<int>(pass.size()),
                                               nullptr, nullptr);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  std::string out = ok ? std::string(p, static_cast<size_t>(n)) : std::string();
  BIO_free(bio);
  if (out.empty()) throw std::runtime_error("PEM encoding failed");
  return out;
}

}  // namespace slicefs::testing
