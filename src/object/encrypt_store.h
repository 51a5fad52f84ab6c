// Wraps an ObjectStore and encrypts every object (docs/formats.md,
// "Encryption"). Each put draws a fresh 32-byte data key and 12-byte nonce,
// wraps the data key with the volume's RSA key (OAEP, SHA-256) and stores
//   "SFEC" | u8 version=1 | u8 algo | u16 wrappedLen (LE) | wrapped key | nonce
//   | ciphertext | 16-byte tag
// with AAD = the header (everything before the ciphertext) followed by the
// object key, so an altered header, ciphertext or tag, a truncated object,
// or an object copied under another key all fail to decrypt: get() then
// returns EIO and logs the key and the reason; it never returns wrong bytes.
//
// A ranged get decrypts the whole object and returns the range (blocks are
// at most the block size; the last whole object read is kept, so that
// reading a big object in pieces, e.g. a metadata backup, decrypts it once).
// head() and list() report stored sizes. Keys in `clearKeys` (the volume's
// UUID object) pass through unencrypted; a failure on a key in `quietKeys`
// (the key check object, whose caller reports it) is not logged.
//
// Unwrapping is an RSA private-key operation (0.26 ms for RSA-2048 on the dev VM); the
// unwrapped data keys of recently read or written objects are kept in a
// bounded LRU (keyed by the wrapped key, so a hit gives exactly what RSA
// would; the process holds the private key anyway). Thread-safe.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "object/aead.h"
#include "object/rsa_key.h"
#include "object/store_wrapper.h"

namespace slicefs {

struct EncryptOptions {
  std::vector<std::string> clearKeys = {};  // stored as they are
  std::vector<std::string> quietKeys = {};  // decryption failures not logged
  size_t keyCacheEntries = 4096;       // unwrapped data keys kept (0: none)
};

class EncryptStore : public ObjectStoreWrapper {
 public:
  EncryptStore(std::unique_ptr<ObjectStore> inner, std::shared_ptr<const RsaKey> key, AeadAlgo algo,
               EncryptOptions opts = {});

  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;

  // Pure transforms (also for tests): object bytes for `key` and back.
  Result<std::string> Seal(const std::string& key, std::span<const char> data);
  Result<std::string> Unseal(const std::string& key, std::string_view stored);

  static constexpr size_t kFixedHeader = 8;  // magic, version, algo, wrapped length
  uint64_t unwraps() const { return unwraps_.load(); }  // RSA decryptions done

 private:
  bool Clear(const std::string& key) const;
  Result<std::string> DataKey(std::string_view wrapped);
  void Remember(const std::string& wrapped, const std::string& dataKey);

  std::shared_ptr<const RsaKey> key_;
  AeadAlgo algo_;
  EncryptOptions opts_;
  std::mutex mu_;  // guards the key cache and the last object
  std::list<std::pair<std::string, std::string>> lru_;  // (wrapped, data key), front = newest
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
  std::string lastKey_;
  std::shared_ptr<const std::string> last_;  // plaintext of lastKey_
  std::atomic<uint64_t> unwraps_{0};
};

}  // namespace slicefs
