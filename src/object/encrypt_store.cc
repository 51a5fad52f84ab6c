#include "object/encrypt_store.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace slicefs {

namespace {
constexpr char kMagic[4] = {'S', 'F', 'E', 'C'};
constexpr uint8_t kVersion = 1;
}  // namespace

EncryptStore::EncryptStore(std::unique_ptr<ObjectStore> inner, std::shared_ptr<const RsaKey> key, AeadAlgo algo,
                           EncryptOptions opts)
    : ObjectStoreWrapper(std::move(inner)), key_(std::move(key)), algo_(algo), opts_(std::move(opts)) {}

bool EncryptStore::Clear(const std::string& key) const {
  return std::find(opts_.clearKeys.begin(), opts_.clearKeys.end(), key) != opts_.clearKeys.end();
}

void EncryptStore::Remember(const std::string& wrapped, const std::string& dataKey) {
  if (opts_.keyCacheEntries == 0) return;
  std::lock_guard lk(mu_);
  if (auto it = index_.find(wrapped); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(wrapped, dataKey);
  index_[wrapped] = lru_.begin();
  while (lru_.size() > opts_.keyCacheEntries) {
    auto& old = lru_.back();
    OPENSSL_cleanse(old.second.data(), old.second.size());
    index_.erase(old.first);
    lru_.pop_back();
  }
}

Result<std::string> EncryptStore::DataKey(std::string_view wrapped) {
  std::string w(wrapped);
  {
    std::lock_guard lk(mu_);
    if (auto it = index_.find(w); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->second;
    }
  }
  unwraps_++;
  ASSIGN_OR_RETURN(std::string dk, key_->Unwrap(wrapped));
  if (dk.size() != kAeadKeyLen) return Err(EBADMSG, "the unwrapped data key has the wrong size");
  Remember(w, dk);
  return dk;
}

Result<std::string> EncryptStore::Seal(const std::string& key, std::span<const char> data) {
  std::string dk = RandomBytes(kAeadKeyLen);
  ASSIGN_OR_RETURN(std::string wrapped, key_->Wrap(dk));
  std::string nonce = RandomBytes(kAeadNonceLen);
  std::string out;
  out.reserve(kFixedHeader + wrapped.size() + nonce.size() + data.size() + kAeadTagLen);
  out.append(kMagic, 4);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(algo_));
  out.push_back(static_cast<char>(wrapped.size() & 0xff));
  out.push_back(static_cast<char>((wrapped.size() >> 8) & 0xff));
  out += wrapped;
  out += nonce;
  std::string aad = out + key;
  Status st = AeadSeal(algo_, dk, nonce, aad, std::string_view(data.data(), data.size()), &out);
  if (st.ok()) Remember(wrapped, dk);  // reading back what this client wrote needs no RSA
  OPENSSL_cleanse(dk.data(), dk.size());
  RETURN_IF_ERROR(st);
  return out;
}

Result<std::string> EncryptStore::Unseal(const std::string& key, std::string_view stored) {
  if (stored.size() < kFixedHeader || std::memcmp(stored.data(), kMagic, 4) != 0)
    return Err(EIO, "not an encrypted object (no SFEC header)");
  if (static_cast<uint8_t>(stored[4]) != kVersion)
    return Err(EIO, "unsupported encryption version " + std::to_string(static_cast<uint8_t>(stored[4])));
  auto algo = static_cast<AeadAlgo>(static_cast<uint8_t>(stored[5]));
  if (algo != AeadAlgo::kAes256Gcm && algo != AeadAlgo::kChaCha20Poly1305)
    return Err(EIO, "unknown cipher " + std::to_string(static_cast<uint8_t>(stored[5])));
  size_t wlen = static_cast<uint8_t>(stored[6]) | (static_cast<size_t>(static_cast<uint8_t>(stored[7])) << 8);
  const size_t header = kFixedHeader + wlen + kAeadNonceLen;
  if (stored.size() < header + kAeadTagLen) return Err(EIO, "encrypted object truncated");
  auto dk = DataKey(stored.substr(kFixedHeader, wlen));
  if (!dk) return Err(EIO, dk.error().message());
  std::string aad(stored.substr(0, header));
  aad += key;
  auto plain = AeadOpen(algo, *dk, stored.substr(kFixedHeader + wlen, kAeadNonceLen), aad, stored.substr(header));
  OPENSSL_cleanse(dk->data(), dk->size());
  if (!plain) return Err(EIO, plain.error().message());
  return plain;
}

Status EncryptStore::put(const std::string& key, std::span<const char> data) {
  if (Clear(key)) return inner().put(key, data);
  ASSIGN_OR_RETURN(std::string sealed, Seal(key, data));
  {
    std::lock_guard lk(mu_);
    if (lastKey_ == key) lastKey_.clear(), last_.reset();
  }
  return inner().put(key, sealed);
}

Status EncryptStore::del(const std::string& key) {
  {
    std::lock_guard lk(mu_);
    if (lastKey_ == key) lastKey_.clear(), last_.reset();
  }
  return inner().del(key);
}

Result<std::string> EncryptStore::get(const std::string& key, uint64_t off, int64_t len) {
  if (Clear(key)) return inner().get(key, off, len);
  const bool ranged = off > 0 || len >= 0;
  std::shared_ptr<const std::string> all;
  if (ranged) {  // another piece of the object read last
    std::lock_guard lk(mu_);
    if (lastKey_ == key) all = last_;
  }
  if (!all) {
    ASSIGN_OR_RETURN(std::string stored, inner().get(key));
    auto plain = Unseal(key, stored);
    if (!plain) {
      if (std::find(opts_.quietKeys.begin(), opts_.quietKeys.end(), key) == opts_.quietKeys.end())
        spdlog::error("object {}: decryption failed: {}", key, plain.error().message());
      return Err(EIO, "object " + key + ": decryption failed: " + plain.error().message());
    }
    if (!ranged) return std::move(*plain);
    all = std::make_shared<const std::string>(std::move(*plain));
    std::lock_guard lk(mu_);
    lastKey_ = key;
    last_ = all;
  }
  if (off >= all->size()) return std::string();
  uint64_t n = all->size() - off;
  if (len >= 0 && static_cast<uint64_t>(len) < n) n = static_cast<uint64_t>(len);
  return all->substr(off, n);
}

}  // namespace slicefs
