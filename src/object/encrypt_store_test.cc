// EncryptStore and RsaKey: round trips with both ciphers, and every kind of
// tampering (header, wrapped key, nonce, ciphertext, tag, truncation, an
// object copied under another key, another RSA key) reads as EIO.
#include <gtest/gtest.h>

#include "object/aead.h"
#include "object/encrypt_store.h"
#include "object/mem_store.h"
#include "object/open_store.h"
#include "object/rsa_key.h"
#include "support/rsa_keys.h"

namespace slicefs {
namespace {

using testing::TestRsaPem;

std::shared_ptr<const RsaKey> Key(int which) {
  auto k = RsaKey::FromPem(TestRsaPem(which, "pw"), "pw");
  EXPECT_TRUE(k.has_value()) << k.error().ToString();
  return *k;
}

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 9)) & 0xff);
  return s;
}

class EncryptStoreTest : public ::testing::TestWithParam<AeadAlgo> {
 protected:
  void SetUp() override {
    raw_ = std::make_shared<MemStore>();
    store_ = Open(Key(0));
  }
  std::unique_ptr<EncryptStore> Open(std::shared_ptr<const RsaKey> key, EncryptOptions o = {}) {
    return std::make_unique<EncryptStore>(std::make_unique<ObjectStoreWrapper>(raw_.get()), std::move(key), GetParam(),
                                          std::move(o));
  }
  std::string Raw(const std::string& k) { return *raw_->get(k); }
  void SetRaw(const std::string& k, const std::string& v) { ASSERT_TRUE(raw_->put(k, v).ok()); }
  void ExpectEio(const std::string& k) {
    auto fresh = Open(Key(0));  // no cached plaintext
    auto r = fresh->get(k);
    ASSERT_FALSE(r.has_value()) << "tampered object " << k << " decrypted";
    EXPECT_EQ(r.error().code(), EIO) << r.error().ToString();
  }

  std::shared_ptr<MemStore> raw_;
  std::unique_ptr<EncryptStore> store_;
};

TEST_P(EncryptStoreTest, RoundTripsAndHidesThePlaintext) {
  const std::string data = "MARKER-0123456789abcdef " + Pattern(300000, 1);
  ASSERT_TRUE(store_->put("vol/chunks/1", data).ok());
  std::string stored = Raw("vol/chunks/1");
  EXPECT_EQ(stored.substr(0, 4), "SFEC");
  EXPECT_EQ(static_cast<uint8_t>(stored[5]), static_cast<uint8_t>(GetParam()));
  EXPECT_EQ(stored.size(), data.size() + EncryptStore::kFixedHeader + 256 + kAeadNonceLen + kAeadTagLen);
  EXPECT_EQ(stored.find("MARKER"), std::string::npos);
  for (size_t i = 0; i + 16 <= data.size(); i += 4093) {
    EXPECT_EQ(stored.find(data.substr(i, 16)), std::string::npos) << "plaintext run at " << i;
  }
  EXPECT_EQ(*store_->get("vol/chunks/1"), data);
  EXPECT_EQ(*Open(Key(0))->get("vol/chunks/1"), data);               // another client, same key
  EXPECT_EQ(*store_->get("vol/chunks/1", 1000, 50), data.substr(1000, 50));  // ranged
  EXPECT_EQ(*store_->get("vol/chunks/1", 299990, 100), data.substr(299990));
  EXPECT_EQ(*store_->get("vol/chunks/1", 400000, 10), "");
  ASSERT_TRUE(store_->put("vol/empty", std::string("")).ok());
  EXPECT_EQ(*store_->get("vol/empty"), "");
}

TEST_P(EncryptStoreTest, SamePlaintextTwiceGivesDifferentObjects) {
  ASSERT_TRUE(store_->put("a", std::string("same bytes")).ok());
  ASSERT_TRUE(store_->put("b", std::string("same bytes")).ok());
  std::string a = Raw("a"), b = Raw("b");
  EXPECT_NE(a.substr(8, 256), b.substr(8, 256));            // fresh data key
  EXPECT_NE(a.substr(8 + 256, 12), b.substr(8 + 256, 12));  // fresh nonce
}

TEST_P(EncryptStoreTest, EveryTamperedByteIsEio) {
  const std::string data = Pattern(5000, 2);
  ASSERT_TRUE(store_->put("k", data).ok());
  const std::string good = Raw("k");
  const size_t header = EncryptStore::kFixedHeader + 256 + kAeadNonceLen;
  // magic, version, algo, wrapped length, wrapped key, nonce, ciphertext, tag
  for (size_t at : {size_t{0}, size_t{4}, size_t{5}, size_t{6}, size_t{7}, size_t{8}, size_t{100},
                    header - 12, header - 1, header, header + 2500, good.size() - 16, good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    SetRaw("k", bad);
    SCOPED_TRACE("flipped byte " + std::to_string(at));
    ExpectEio("k");
  }
  SetRaw("k", good);
  EXPECT_EQ(*Open(Key(0))->get("k"), data);
}

TEST_P(EncryptStoreTest, TruncatedObjectIsEio) {
  ASSERT_TRUE(store_->put("k", Pattern(3000, 3)).ok());
  const std::string good = Raw("k");
  for (size_t len : {size_t{0}, size_t{3}, size_t{8}, size_t{200}, good.size() - 3000 - 16, good.size() - 1}) {
    SetRaw("k", good.substr(0, len));
    SCOPED_TRACE("truncated to " + std::to_string(len));
    ExpectEio("k");
  }
  SetRaw("k", good + "x");  // and extended
  ExpectEio("k");
}

TEST_P(EncryptStoreTest, ObjectsSwappedInTheBucketAreEio) {
  ASSERT_TRUE(store_->put("vol/chunks/0/1_0_4096", Pattern(4096, 4)).ok());
  ASSERT_TRUE(store_->put("vol/chunks/0/2_0_4096", Pattern(4096, 5)).ok());
  std::string a = Raw("vol/chunks/0/1_0_4096"), b = Raw("vol/chunks/0/2_0_4096");
  SetRaw("vol/chunks/0/1_0_4096", b);
  SetRaw("vol/chunks/0/2_0_4096", a);
  ExpectEio("vol/chunks/0/1_0_4096");
  ExpectEio("vol/chunks/0/2_0_4096");
  // Only the wrapped data key of another object: the tag fails.
  std::string mixed = a;
  mixed.replace(8, 256, b.substr(8, 256));
  SetRaw("vol/chunks/0/1_0_4096", mixed);
  ExpectEio("vol/chunks/0/1_0_4096");
}

TEST_P(EncryptStoreTest, AnotherKeyOrAnUnencryptedObjectIsEio) {
  ASSERT_TRUE(store_->put("k", std::string("secret")).ok());
  auto other = Open(Key(1));
  auto r = other->get("k");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), EIO);
  EXPECT_NE(r.error().message().find("does not unwrap"), std::string::npos) << r.error().ToString();
  SetRaw("plain", "not encrypted at all");
  ExpectEio("plain");
}

TEST_P(EncryptStoreTest, ClearKeysPassThrough) {
  auto s = Open(Key(0), EncryptOptions{.clearKeys = {"vol/slicefs_uuid"}});
  ASSERT_TRUE(s->put("vol/slicefs_uuid", std::string("uuid-text")).ok());
  EXPECT_EQ(Raw("vol/slicefs_uuid"), "uuid-text");
  EXPECT_EQ(*s->get("vol/slicefs_uuid"), "uuid-text");
}

TEST_P(EncryptStoreTest, UnwrappedKeysAreCachedAndBounded) {
  for (int i = 0; i < 5; i++) ASSERT_TRUE(store_->put("k" + std::to_string(i), Pattern(100, i)).ok());
  for (int i = 0; i < 5; i++) EXPECT_EQ(*store_->get("k" + std::to_string(i)), Pattern(100, i));
  EXPECT_EQ(store_->unwraps(), 0u) << "objects this store wrote need no RSA decryption";
  auto reader = Open(Key(0), EncryptOptions{.keyCacheEntries = 3});
  for (int round = 0; round < 2; round++)
    for (int i = 0; i < 3; i++) EXPECT_EQ(*reader->get("k" + std::to_string(i)), Pattern(100, i));
  EXPECT_EQ(reader->unwraps(), 3u);
  for (int i = 0; i < 5; i++) EXPECT_TRUE(reader->get("k" + std::to_string(i)).has_value());
  EXPECT_EQ(reader->unwraps(), 5u);  // k0..k2 hit; k3, k4 unwrap and evict k0, k1
  EXPECT_EQ(*reader->get("k0"), Pattern(100, 0));
  EXPECT_EQ(reader->unwraps(), 6u);
  auto uncached = Open(Key(0), EncryptOptions{.keyCacheEntries = 0});
  for (int i = 0; i < 2; i++) EXPECT_TRUE(uncached->get("k1").has_value());
  EXPECT_EQ(uncached->unwraps(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Algos, EncryptStoreTest,
                         ::testing::Values(AeadAlgo::kAes256Gcm, AeadAlgo::kChaCha20Poly1305),
                         [](const auto& info) { return std::string(info.param == AeadAlgo::kAes256Gcm ? "aes" : "chacha"); });

TEST(EncryptChain, CompressesBeforeEncrypting) {
  const char* old = std::getenv(kRsaPassphraseEnv);
  setenv(kRsaPassphraseEnv, "pw", 1);
  VolumeFormat fmt;
  fmt.name = "encvol";
  fmt.storage = "mem";
  fmt.bucket = "enc-chain-test";
  fmt.compression = "zstd";
  fmt.encryptKey = TestRsaPem(0, "pw");
  fmt.encryptAlgo = "chacha20-rsa";
  auto store = OpenObjectStore(fmt, StoreOptions{.metrics = false});
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  const std::string data(1 << 20, 'z');  // compresses to almost nothing
  ASSERT_TRUE((*store)->put("encvol/chunks/x", data).ok());
  VolumeFormat plainFmt = fmt;  // how format writes the UUID: no compression
  plainFmt.compression = "none";
  ASSERT_TRUE((*OpenObjectStore(plainFmt, StoreOptions{.metrics = false}))->put("encvol/slicefs_uuid", std::string("u")).ok());
  VolumeFormat rawFmt = fmt;
  rawFmt.encryptKey.clear();
  rawFmt.compression = "none";
  auto raw = OpenObjectStore(rawFmt, StoreOptions{.metrics = false});
  std::string stored = *(*raw)->get("encvol/chunks/x");
  EXPECT_EQ(stored.substr(0, 4), "SFEC");
  EXPECT_LT(stored.size(), 2000u) << "compression happens before encryption";
  EXPECT_EQ(*(*raw)->get("encvol/slicefs_uuid"), "u") << "the UUID object is stored in the clear";
  EXPECT_EQ(*(*store)->get("encvol/chunks/x"), data);
  if (old) setenv(kRsaPassphraseEnv, old, 1); else unsetenv(kRsaPassphraseEnv);
}

TEST(RsaKey, PassphraseSizeAndProtection) {
  const std::string enc = TestRsaPem(0, "right");
  EXPECT_TRUE(RsaKey::PemIsEncrypted(enc));
  EXPECT_FALSE(RsaKey::PemIsEncrypted(TestRsaPem(0, "")));
  auto none = RsaKey::FromPem(enc, "");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), EACCES);
  EXPECT_NE(none.error().message().find(kRsaPassphraseEnv), std::string::npos);
  auto wrong = RsaKey::FromPem(enc, "wrong");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), EACCES);
  EXPECT_NE(wrong.error().message().find("wrong passphrase"), std::string::npos);
  EXPECT_EQ(RsaKey::FromPem("garbage", "x").error().code(), EINVAL);
  auto small = RsaKey::FromPem(TestRsaPem(0, "", 1024), "");
  ASSERT_FALSE(small.has_value());
  EXPECT_NE(small.error().message().find("at least 2048"), std::string::npos);
  // A plain key protected by a passphrase is the same key.
  auto plain = *RsaKey::FromPem(TestRsaPem(0, ""), "");
  std::string prot = *plain->ProtectedPem("pp");
  EXPECT_TRUE(RsaKey::PemIsEncrypted(prot));
  auto back = RsaKey::FromPem(prot, "pp");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ((*back)->fingerprint(), plain->fingerprint());
  EXPECT_NE((*RsaKey::FromPem(TestRsaPem(1, ""), ""))->fingerprint(), plain->fingerprint());
  // Wrap/unwrap and the derived key are properties of the key.
  std::string w = *plain->Wrap("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(*(*back)->Unwrap(w), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(*plain->DeriveKey("uuid", "info"), *(*back)->DeriveKey("uuid", "info"));
  EXPECT_NE(*plain->DeriveKey("uuid", "info"), *plain->DeriveKey("uuid2", "info"));
}

}  // namespace
}  // namespace slicefs
