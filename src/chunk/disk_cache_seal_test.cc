// The disk cache's modes (0600 files in 0700 directories, fixed at open)
// and its sealed form for encrypted volumes: no plaintext on disk, reads
// back under the same key, a file under another key or altered is a miss.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chunk/disk_cache.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using testing::TempDir;

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t Mode(const std::string& p) {
  struct stat st{};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(DiskCacheModes, FilesAre0600InDirectories0700EvenWhenCreatedWider) {
  TempDir dir;
  const std::string d = dir.path() + "/vol";
  std::filesystem::create_directories(d + "/blocks");
  ::chmod(d.c_str(), 0755);  // as an older version (or a wide umask) left it
  ::chmod((d + "/blocks").c_str(), 0777);
  const mode_t old = ::umask(0);  // the widest umask a mount could run with
  auto c = DiskCache::Open(d, 1 << 20, 0);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  (*c)->Put("vol/chunks/0/0/1_0_5", std::string("hello"));
  ::umask(old);
  EXPECT_EQ(Mode(d), 0700u);
  EXPECT_EQ(Mode(d + "/blocks"), 0700u);
  EXPECT_EQ(Mode(d + "/tmp"), 0700u);
  const std::string f = (*c)->PathOf("vol/chunks/0/0/1_0_5");
  EXPECT_EQ(Mode(f), 0600u);
  EXPECT_EQ(Mode(std::filesystem::path(f).parent_path().string()), 0700u);
}

TEST(DiskCacheSealed, HoldsNoPlaintextAndOnlyTheSameKeyReadsIt) {
  TempDir dir;
  const std::string key = "vol/chunks/0/0/7_0_100000";
  std::string block(100000, '\0');
  for (size_t i = 0; i < block.size(); i++) block[i] = static_cast<char>("SECRET-BLOCK-DATA"[i % 17]);
  for (AeadAlgo algo : {AeadAlgo::kAes256Gcm, AeadAlgo::kChaCha20Poly1305}) {
    const std::string d = dir.path() + "/c" + std::to_string(static_cast<int>(algo));
    const DiskCacheSeal seal{std::string(32, 'k'), algo};
    {
      auto c = *DiskCache::Open(d, 1 << 20, 0, seal);
      c->Put(key, block);
      std::string onDisk = Slurp(c->PathOf(key));
      EXPECT_EQ(onDisk.substr(0, 4), "SFC2");
      EXPECT_EQ(onDisk.find("SECRET-BLOCK"), std::string::npos) << "plaintext in the cache file";
      EXPECT_EQ(*c->Get(key), block);
    }
    {
      auto again = *DiskCache::Open(d, 1 << 20, 0, seal);  // survives a remount
      EXPECT_EQ(*again->Get(key), block);
    }
    {
      auto other = *DiskCache::Open(d, 1 << 20, 0, DiskCacheSeal{std::string(32, 'x'), algo});
      EXPECT_FALSE(other->Get(key).has_value()) << "another key must not read the file";
      EXPECT_EQ(other->corruptions(), 1u);
      EXPECT_FALSE(std::filesystem::exists(other->PathOf(key))) << "a file that fails is deleted";
    }
    {
      auto sealed = *DiskCache::Open(d, 1 << 20, 0, seal);
      sealed->Put(key, block);
    }
    {
      auto plain = *DiskCache::Open(d, 1 << 20, 0);  // an unsealed cache never serves sealed files
      EXPECT_FALSE(plain->Get(key).has_value());
    }
  }
  EXPECT_FALSE(DiskCache::Open(dir.path() + "/bad", 1 << 20, 0, DiskCacheSeal{"short", AeadAlgo::kAes256Gcm}).has_value());
}

}  // namespace
}  // namespace slicefs
