// Encrypted volumes on s3rver through real mounts (issue #14 item 1): no
// object in the bucket (and no disk cache file) holds the marker or any
// 16-byte run of the plaintext; files read back; one flipped byte in one
// block object makes exactly that block's range EIO while the rest reads;
// a wrong passphrase or another key is refused in one line before the mount
// registers a session; encrypted metadata backups restore with `load`.
// Both algorithms.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <unordered_set>

#include "common/volume_format.h"
#include "kv/kv.h"
#include "meta/keys.h"
#include "meta/meta.h"
#include "mount/mount_util.h"
#include "object/open_store.h"
#include "object/rsa_key.h"
#include "support/mount.h"
#include "support/rsa_keys.h"
#include "support/s3_server.h"
#include "support/test_util.h"
#include "vfs/backup.h"
#include "vfs/volume.h"

namespace slicefs::testing {
namespace {

constexpr const char* kPass = "correct horse battery";
constexpr size_t kBlock = 64 << 10;

// Restores the passphrase variable when a test ends.
class PassEnv {
 public:
  explicit PassEnv(const char* value) {
    if (const char* o = std::getenv(kRsaPassphraseEnv)) old_ = o, had_ = true;
    Set(value);
  }
  ~PassEnv() { had_ ? (void)setenv(kRsaPassphraseEnv, old_.c_str(), 1) : (void)unsetenv(kRsaPassphraseEnv); }
  static void Set(const char* v) { v ? (void)setenv(kRsaPassphraseEnv, v, 1) : (void)unsetenv(kRsaPassphraseEnv); }

 private:
  std::string old_;
  bool had_ = false;
};

// Plaintext with a marker and no repeated 16-byte runs.
std::string Plaintext(size_t n, uint64_t seed) {
  std::string s = "SLICEFS-SECRET-MARKER-7f3a9c";
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  while (s.size() < n) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    s.push_back(static_cast<char>(x & 0xff));
  }
  return s;
}

// The bucket as it is stored (no decryption): the project's S3 client.
std::unique_ptr<ObjectStore> RawBucket(const std::string& url) {
  VolumeFormat f;
  f.name = "raw";
  f.storage = "s3";
  f.bucket = url;
  f.accessKey = S3Server::kAccessKey;
  f.secretKey = S3Server::kSecretKey;
  auto s = OpenObjectStore(f, StoreOptions{.ioRetries = 1, .metrics = false});
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return s ? std::move(*s) : nullptr;
}

std::vector<std::string> Keys(ObjectStore& s, const std::string& prefix = "") {
  std::vector<std::string> out;
  std::string after;
  for (;;) {
    auto page = s.list(prefix, after, 1000);
    EXPECT_TRUE(page.has_value());
    if (!page) break;
    for (auto& o : page->objects) out.push_back(o.key);
    if (!page->truncated || page->objects.empty()) break;
    after = page->objects.back().key;
  }
  return out;
}

// No blob holds the marker or any 16-byte run of any plaintext (every run of
// the plaintexts goes into a set; every 16-byte window of a blob is looked up).
void ExpectNoPlaintext(const std::vector<std::pair<std::string, std::string>>& blobs,
                       const std::vector<std::string>& plains) {
  ASSERT_FALSE(blobs.empty());
  std::unordered_set<std::string_view> runs;
  for (auto& p : plains)
    for (size_t i = 0; i + 16 <= p.size(); i++) runs.insert(std::string_view(p).substr(i, 16));
  for (auto& [name, blob] : blobs) {
    EXPECT_EQ(blob.find("SLICEFS-SECRET-MARKER"), std::string::npos) << name;
    for (size_t i = 0; i + 16 <= blob.size(); i++) {
      if (runs.count(std::string_view(blob).substr(i, 16))) {
        ADD_FAILURE() << name << " holds a 16-byte run of the plaintext at offset " << i;
        break;
      }
    }
  }
}

std::vector<std::pair<std::string, std::string>> BucketObjects(ObjectStore& raw) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& k : Keys(raw)) out.emplace_back(k, *raw.get(k));
  return out;
}

std::string WriteKeyFile(const TempDir& d, const std::string& name, const std::string& pem) {
  std::string p = d.path() + "/" + name;
  EXPECT_TRUE(WriteFile(p, pem));
  return p;
}

bool HasSessions(const std::string& metaUrl) {
  std::string out;
  RunSlicefs({"status", metaUrl}, &out);
  auto p = out.find("\"Sessions\"");
  return p != std::string::npos && out.find("\"Sessions\": []", p) == std::string::npos &&
         out.find("\"Sessions\": null", p) == std::string::npos;
}

class EncryptedVolume : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    REQUIRE_FUSE();
    std::string why;
    if (!SharedS3Server(&why)) SKIP_OR_FAIL("s3rver unavailable: " + why);
  }
  VolumeSpec Spec(const std::string& keyFile) {
    VolumeSpec s;
    s.storage = "s3";
    // aes with lz4 (compressed, then encrypted), chacha uncompressed.
    s.formatArgs = {"--trash-days", "0", "--block-size", "64K", "--compress", GetParam() == "aes256gcm-rsa" ? "lz4" : "none",
                    "--encrypt-rsa-key", keyFile, "--encrypt-algo", GetParam()};
    return s;
  }
  // A formatted, mounted volume encrypted with test key 0 (passphrase kPass).
  std::unique_ptr<TestMount> MountedVolume() {
    auto m = std::make_unique<TestMount>(Spec(WriteKeyFile(keys_, "key.pem", TestRsaPem(0, kPass))));
    Status st = m->Mount();  // formats first
    EXPECT_TRUE(st.ok()) << st.ToString();
    return st.ok() ? std::move(m) : nullptr;
  }
  TempDir keys_{"enckeys"};
};

TEST_P(EncryptedVolume, BucketHoldsNoPlaintextAndTamperingIsEioForThatBlockOnly) {
  PassEnv env(kPass);
  auto mp = MountedVolume();
  ASSERT_TRUE(mp);
  TestMount& m = *mp;
  const std::string big = Plaintext(10 * kBlock, 1);
  const std::string small = Plaintext(3000, 2);
  ASSERT_TRUE(WriteFile(m / "big", big));
  ASSERT_TRUE(WriteFile(m / "small", small));
  ASSERT_EQ(ReadFile(m / "big"), big);
  ASSERT_TRUE(m.Unmount().ok());
  std::string out;  // fsck knows stored sizes differ from block lengths
  EXPECT_EQ(RunSlicefs({"fsck", m.metaUrl()}, &out), 0) << out;

  auto raw = RawBucket(m.bucket());
  ASSERT_TRUE(raw);
  auto objects = BucketObjects(*raw);
  ExpectNoPlaintext(objects, {big, small});
  size_t blocks = 0;
  for (auto& [k, v] : objects) {
    if (k.find("/chunks/") == std::string::npos) continue;
    blocks++;
    EXPECT_EQ(v.substr(0, 4), "SFEC") << k;
  }
  EXPECT_GE(blocks, 11u);
  // The disk cache holds no plaintext either, in 0600 files and 0700 directories.
  std::vector<std::pair<std::string, std::string>> cached;
  for (auto& e : std::filesystem::recursive_directory_iterator(m.dir() + "/cache")) {
    struct stat st;
    ASSERT_EQ(lstat(e.path().c_str(), &st), 0);
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(st.st_mode & 0777, 0700u) << e.path();
    }
    if (S_ISREG(st.st_mode) && e.path().string().find("/blocks/") != std::string::npos) {
      EXPECT_EQ(st.st_mode & 0777, 0600u) << e.path();
      cached.emplace_back(e.path().string(), ReadFile(e.path().string()));
    }
  }
  EXPECT_GE(cached.size(), 5u) << "the mount should have cached blocks it wrote";
  ExpectNoPlaintext(cached, {big, small});

  // Remount (warm encrypted cache): the files read back.
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_EQ(ReadFile(m / "big"), big);
  EXPECT_EQ(ReadFile(m / "small"), small);
  ASSERT_TRUE(m.Unmount().ok());

  // Flip one byte in the middle of one block object of `big`.
  std::string victim;
  for (auto& [k, v] : objects) {
    if (k.find("/chunks/") != std::string::npos && v.size() > kBlock) victim = k;
  }
  ASSERT_FALSE(victim.empty());
  std::string bad = *raw->get(victim);
  bad[bad.size() / 2] ^= 0x40;
  ASSERT_TRUE(raw->put(victim, bad).ok());
  std::filesystem::remove_all(m.dir() + "/cache");  // read from the bucket
  ASSERT_TRUE(m.Mount().ok());
  int fd = open((m / "big").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int failed = 0;
  for (size_t b = 0; b < 10; b++) {
    std::string buf(kBlock, '\0');
    ssize_t n = pread(fd, buf.data(), kBlock, static_cast<off_t>(b * kBlock));
    if (n < 0) {
      EXPECT_EQ(errno, EIO) << "block " << b;
      failed++;
    } else {
      EXPECT_EQ(static_cast<size_t>(n), kBlock) << "block " << b;
      EXPECT_EQ(buf, big.substr(b * kBlock, kBlock)) << "block " << b << " read wrong bytes";
    }
  }
  close(fd);
  EXPECT_EQ(failed, 1) << "exactly the tampered block fails";
  EXPECT_EQ(ReadFile(m / "small"), small);
  ASSERT_TRUE(m.Unmount().ok());
  std::string log = ReadFile(m.logFile());
  EXPECT_NE(log.find("decryption failed"), std::string::npos) << log;
  EXPECT_NE(log.find(victim), std::string::npos) << "the log names the object";
}

TEST_P(EncryptedVolume, WrongPassphraseOrAnotherKeyIsRefusedInOneLine) {
  PassEnv env(kPass);
  auto mp = MountedVolume();
  ASSERT_TRUE(mp);
  TestMount& m = *mp;
  ASSERT_TRUE(WriteFile(m / "f", "data"));
  ASSERT_TRUE(m.Unmount().ok());

  std::string out;
  PassEnv::Set("not the passphrase");
  Status st = m.Mount();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("wrong passphrase"), std::string::npos) << st.ToString();
  EXPECT_FALSE(HasSessions(m.metaUrl()));
  EXPECT_NE(RunSlicefs({"fsck", m.metaUrl()}, &out), 0);
  EXPECT_NE(out.find("wrong passphrase"), std::string::npos) << out;
  PassEnv::Set(nullptr);
  st = m.Mount();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(kRsaPassphraseEnv), std::string::npos) << st.ToString();

  // `format --force` cannot swap the key of a volume whose blocks use it.
  PassEnv::Set(kPass);
  const std::string otherFile = WriteKeyFile(keys_, "other.pem", TestRsaPem(1, kPass));
  EXPECT_NE(RunSlicefs({"format", m.metaUrl(), "testvol", "--storage", "s3", "--bucket", m.bucket(), "--access-key",
                        S3Server::kAccessKey, "--secret-key", S3Server::kSecretKey, "--encrypt-rsa-key", otherFile,
                        "--encrypt-algo", GetParam(), "--force"},
                       &out),
            0);
  EXPECT_NE(out.find("another RSA key"), std::string::npos) << out;

  // A format that names another key (e.g. a tampered or mixed-up engine):
  // the bucket's key check refuses it before the mount registers a session.
  {
    auto kv = Volume::OpenEngine(m.metaUrl(), true);
    ASSERT_TRUE(kv.has_value());
    auto fmt = *Meta::LoadFormat(**kv);
    fmt.encryptKey = TestRsaPem(1, kPass);
    ASSERT_TRUE((*kv)->txn([&](KvTxn& tx) -> Status {
      tx.put(keys::Setting(), fmt.ToJson(false));
      return Status::OK();
    }).ok());
  }
  st = m.Mount();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("not the key this bucket was encrypted with"), std::string::npos) << st.ToString();
  EXPECT_FALSE(HasSessions(m.metaUrl()));
}

TEST_P(EncryptedVolume, EncryptedBackupRestores) {
  PassEnv env(kPass);
  // A plain PEM: format stores it protected by the passphrase.
  const std::string keyFile = WriteKeyFile(keys_, "plain.pem", TestRsaPem(0, ""));
  VolumeSpec spec = Spec(keyFile);
  spec.mountArgs = {"--backup-meta", "1s"};
  TestMount m(spec);
  ASSERT_TRUE(m.Format().ok());
  {
    auto kv = Volume::OpenEngine(m.metaUrl(), true);
    auto fmt = *Meta::LoadFormat(**kv);
    EXPECT_TRUE(RsaKey::PemIsEncrypted(fmt.encryptKey)) << "the stored key must be passphrase-protected";
    EXPECT_EQ(fmt.encryptKey.find(kPass), std::string::npos);
  }
  ASSERT_TRUE(m.Mount().ok());
  const std::string data = Plaintext(200000, 3);
  ASSERT_TRUE(WriteFile(m / "kept", data));
  ASSERT_EQ(mkdir((m / "SLICEFS-SECRET-MARKER-dir").c_str(), 0755), 0);
  auto raw = RawBucket(m.bucket());
  ASSERT_TRUE(raw);
  const int64_t written = static_cast<int64_t>(std::time(nullptr));
  std::string newest;  // a backup taken after the writes
  for (int i = 0; i < 100 && newest.empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (auto& k : Keys(*raw, "testvol/meta/")) {
      auto t = BackupTime(k);
      if (t && *t > written) newest = k;
    }
  }
  ASSERT_TRUE(m.Unmount().ok());
  ASSERT_FALSE(newest.empty()) << ReadFile(m.logFile());
  std::string blob = *raw->get(newest);
  EXPECT_EQ(blob.substr(0, 4), "SFEC") << "backups are encrypted";
  EXPECT_EQ(blob.find("SLICEFS-SECRET-MARKER"), std::string::npos);

  std::string out;
  const std::string fresh = "sqlite3://" + m.dir() + "/restored.db";
  std::vector<std::string> load = {"load", fresh, "--from-bucket", "testvol", "--storage", "s3", "--bucket", m.bucket(),
                                   "--access-key", S3Server::kAccessKey, "--secret-key", S3Server::kSecretKey};
  EXPECT_NE(RunSlicefs(load, &out), 0);
  EXPECT_NE(out.find("is encrypted: pass --encrypt-rsa-key"), std::string::npos) << out;
  load.insert(load.end(), {"--encrypt-rsa-key", keyFile, "--encrypt-algo", GetParam()});
  ASSERT_EQ(RunSlicefs(load, &out), 0) << out;
  TestMount r(VolumeSpec{.metaUrl = fresh, .storage = "s3", .bucket = m.bucket(), .mountArgs = {"--backup-meta", "0"},
                         .formatted = true});
  ASSERT_TRUE(r.Mount().ok());
  EXPECT_EQ(ReadFile(r / "kept"), data);
  struct stat st;
  EXPECT_EQ(stat((r / "SLICEFS-SECRET-MARKER-dir").c_str(), &st), 0);
  ASSERT_TRUE(r.Unmount().ok());
}

INSTANTIATE_TEST_SUITE_P(Algos, EncryptedVolume, ::testing::Values("aes256gcm-rsa", "chacha20-rsa"),
                         [](const auto& info) { return info.param == "aes256gcm-rsa" ? std::string("aes") : std::string("chacha"); });

}  // namespace
}  // namespace slicefs::testing
