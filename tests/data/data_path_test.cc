// Data-path integration tests over a real Meta (sqlite3 / mem engines) and
// the file / mem object stores: object layout, leaks, disk-cache
// corruption, back-pressure.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "chunk/block_key.h"
#include "chunk/data_store_impl.h"
#include "data/data_env.h"
#include "object/storage_setup.h"
#include "support/test_util.h"

namespace slicefs::testing {
namespace {

std::string Bytes(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>(rng() >> 13);
  return s;
}

std::vector<ObjectInfo> ListAll(ObjectStore& s, const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string after;
  for (;;) {
    auto page = s.list(prefix, after, 500);
    EXPECT_TRUE(page.has_value()) << page.error().ToString();
    if (!page) break;
    out.insert(out.end(), page->objects.begin(), page->objects.end());
    if (!page->truncated) break;
    after = page->objects.back().key;
  }
  return out;
}

std::unique_ptr<DataEnv> Env(DataEnvOptions o, const std::string& dir) {
  auto e = MakeDataEnv(o, dir);
  EXPECT_TRUE(e.has_value()) << e.error().ToString();
  return e ? std::move(*e) : nullptr;
}

std::string Read(DataEnv& env, Ino ino, uint64_t off, size_t n) {
  std::string out(n, '\0');
  auto r = env.data().Read(ino, off, std::span<char>(out.data(), n), env.ReadLength(ino));
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  out.resize(r ? *r : 0);
  return out;
}

class ObjectLayout : public ::testing::TestWithParam<bool> {};

TEST_P(ObjectLayout, EveryKeyMatchesPatternAndSizeInName) {
  const bool hashPrefix = GetParam();
  TempDir dir("slicefs-layout");
  DataEnvOptions o;
  o.meta = "sqlite3";
  o.blockSizeKiB = 64;
  o.hashPrefix = hashPrefix;
  auto env = Env(o, dir.path());
  ASSERT_TRUE(env);
  std::mt19937_64 rng(TestSeed("ObjectLayout"));
  // Files of many sizes, a sparse one across the chunk boundary, overwrites
  // and a compaction, so blocks of all kinds exist.
  for (int f = 0; f < 6; f++) {
    Ino ino = *env->NewFile("f" + std::to_string(f));
    size_t n = f == 0 ? 1 : f == 1 ? 65536 : f == 2 ? 65537 : 1 + rng() % 400000;
    ASSERT_TRUE(env->data().Write(ino, 0, Bytes(f, n)).has_value());
    if (f == 5) {
      ASSERT_TRUE(env->data().Write(ino, kChunkSize - 1000, Bytes(99, 5000)).has_value());
      for (int i = 0; i < 5; i++) {
        ASSERT_TRUE(env->data().Write(ino, rng() % 300000, Bytes(i, 1 + rng() % 50000)).has_value());
        ASSERT_TRUE(env->data().Flush(ino).ok());
      }
      ASSERT_TRUE(env->data().Compact(ino, 0).ok());
    }
    ASSERT_TRUE(env->data().Flush(ino).ok());
  }
  auto objs = ListAll(env->store(), "datavol/");
  size_t blocks = 0;
  for (auto& o : objs) {
    if (o.key == UuidObjectKey("datavol")) continue;
    auto p = ParseBlockObjectKey("datavol", hashPrefix, o.key);
    ASSERT_TRUE(p.has_value()) << "unexpected key " << o.key;
    EXPECT_EQ(o.size, p->blockLen) << o.key;
    EXPECT_LE(p->blockLen, 65536u) << o.key;
    EXPECT_GT(p->blockLen, 0u) << o.key;
    blocks++;
  }
  EXPECT_GE(blocks, 10u);
  // The uuid object is there and holds the volume UUID.
  EXPECT_EQ(*env->store().get(UuidObjectKey("datavol")), "0000-data-test");
}

INSTANTIATE_TEST_SUITE_P(Data, ObjectLayout, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "HashPrefix" : "Plain"; });

class Leak : public ::testing::TestWithParam<std::string> {};

TEST_P(Leak, DeletedTreeLeavesNoChunkObjects) {
  TempDir dir("slicefs-leak");
  DataEnvOptions o;
  o.meta = GetParam();
  o.blockSizeKiB = 64;
  o.trashDays = 0;
  o.data.compactThreshold = 4;
  auto env = Env(o, dir.path());
  ASSERT_TRUE(env);
  ASSERT_NE(env->realMeta(), nullptr);
  Meta& m = *env->realMeta();
  Ctx root = Ctx::Root();
  // a tree: /d1/{a,b}, /d1/d2/{c}, /e; data with overwrites, a truncate and
  // appends (background compaction).
  auto d1 = *m.Mkdir(root, kRootIno, "d1", 0755, 0);
  auto d2 = *m.Mkdir(root, d1.ino, "d2", 0755, 0);
  struct F {
    Ino parent;
    std::string name;
  };
  std::vector<F> files = {{d1.ino, "a"}, {d1.ino, "b"}, {d2.ino, "c"}, {kRootIno, "e"}};
  int k = 0;
  for (auto& f : files) {
    auto e = *m.Create(root, f.parent, f.name, S_IFREG | 0644, 0, O_RDWR);
    Ino ino = e.ino;
    ASSERT_TRUE(env->data().Write(ino, 0, Bytes(k++, 300000)).has_value());
    ASSERT_TRUE(env->data().Write(ino, 1000, Bytes(k++, 5000)).has_value());
    ASSERT_TRUE(env->data().Write(ino, kChunkSize + 10, Bytes(k++, 70000)).has_value());
    ASSERT_TRUE(env->data().Flush(ino).ok());
    for (int i = 0; i < 10; i++) {  // small appends
      ASSERT_TRUE(env->data().Write(ino, kChunkSize + 70010 + i * 100, Bytes(k++, 100)).has_value());
      ASSERT_TRUE(env->data().Flush(ino).ok());
    }
    ASSERT_TRUE(m.Truncate(root, ino, 200000, false).has_value());
    env->data().Invalidate(ino);
    ASSERT_TRUE(m.Close(ino).ok());
  }
  ASSERT_FALSE(ListAll(env->store(), "datavol/chunks/").empty());
  ASSERT_TRUE(m.Unlink(root, d2.ino, "c").ok());
  ASSERT_TRUE(m.Rmdir(root, d1.ino, "d2").ok());
  ASSERT_TRUE(m.Unlink(root, d1.ino, "a").ok());
  ASSERT_TRUE(m.Unlink(root, d1.ino, "b").ok());
  ASSERT_TRUE(m.Rmdir(root, kRootIno, "d1").ok());
  ASSERT_TRUE(m.Unlink(root, kRootIno, "e").ok());
  std::vector<ObjectInfo> left;
  for (int i = 0; i < 150; i++) {  // up to 15 s
    left = ListAll(env->store(), "datavol/chunks/");
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(left.empty()) << left.size() << " chunk objects left, e.g. " << left.front().key;
}

INSTANTIATE_TEST_SUITE_P(Data, Leak, ::testing::Values("sqlite3", "mem"));

TEST(DiskCacheCorruption, CorruptedCachedBlockIsRefetched) {
  TempDir dir("slicefs-dcache");
  DataEnvOptions o;
  o.meta = "sqlite3";
  o.blockSizeKiB = 64;
  o.data.cacheDir = dir.path() + "/cache";
  o.data.memCacheSize = 0;
  auto env = Env(o, dir.path());
  ASSERT_TRUE(env);
  Ino ino = *env->NewFile("f");
  std::string a = Bytes(5, 200000);
  ASSERT_TRUE(env->data().Write(ino, 0, a).has_value());
  ASSERT_TRUE(env->data().Flush(ino).ok());
  ASSERT_TRUE(env->Reopen().ok());  // drop the blocks kept from the upload
  EXPECT_EQ(Read(*env, ino, 0, a.size()), a);  // fills the disk cache
  ASSERT_TRUE(env->Reopen().ok());  // the disk cache survives a restart
  auto recs = *env->meta().ReadChunk(ino, 0);
  ASSERT_EQ(recs.size(), 1u);
  auto* impl = dynamic_cast<DataStoreImpl*>(&env->data());
  ASSERT_NE(impl, nullptr);
  for (uint32_t b = 0; b < BlockCount(recs[0].size, 65536); b++) {
    std::string key = env->data().BlockKey(recs[0].id, b, BlockLength(recs[0].size, 65536, b));
    ASSERT_TRUE(impl->disk_cache()->Contains(key)) << key;
    // Flip bytes in the middle of the cached data of every block.
    std::fstream f(impl->disk_cache()->PathOf(key), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(500);
    f.write("\x01\x02\x03\x04", 4);
  }
  EXPECT_EQ(Read(*env, ino, 0, a.size()), a);
  auto st = env->data().Stats();
  EXPECT_EQ(st.diskCacheCorrupt, 4u);
  EXPECT_EQ(st.blockGets, 4u);
  EXPECT_EQ(Read(*env, ino, 0, a.size()), a);
  EXPECT_EQ(env->data().Stats().diskCacheHits, 4u);  // the refetched blocks were cached again
}

// Delays every put, so a fast writer runs into the buffer limit.
class SlowStore : public ObjectStore {
 public:
  explicit SlowStore(ObjectStore* inner) : inner_(inner) {}
  std::string describe() const override { return "slow:" + inner_->describe(); }
  Status put(const std::string& k, std::span<const char> d) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return inner_->put(k, d);
  }
  Result<std::string> get(const std::string& k, uint64_t off, int64_t len) override { return inner_->get(k, off, len); }
  Status del(const std::string& k) override { return inner_->del(k); }
  Result<ObjectInfo> head(const std::string& k) override { return inner_->head(k); }
  Result<ListPage> list(const std::string& p, const std::string& a, size_t l) override { return inner_->list(p, a, l); }
  Status create() override { return inner_->create(); }

 private:
  ObjectStore* inner_;
};

TEST(BackPressure, BufferedBytesStayWithinBufferSizePlusOneBlock) {
  TempDir dir("slicefs-bp");
  DataEnvOptions o;
  o.meta = "sqlite3";
  o.blockSizeKiB = 256;
  auto env = Env(o, dir.path());
  ASSERT_TRUE(env);
  SlowStore slow(&env->store());
  DataOptions opts;
  opts.bufferSize = 2 << 20;
  opts.maxUploads = 4;
  auto ds = *DataStore::Open(&env->meta(), &slow, opts);
  Ino ino = *env->NewFile("f");
  std::string piece = Bytes(1, 300 * 1000);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> maxSeen{0};
  std::thread sampler([&] {
    while (!done) {
      uint64_t u = ds->Stats().bufferUsed;
      if (u > maxSeen) maxSeen = u;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  uint64_t off = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 60; i++) {  // 18 MB, 9x the buffer
    ASSERT_TRUE(ds->Write(ino, off, piece).has_value());
    off += piece.size();
  }
  double writeSec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(ds->Flush(ino).ok());
  done = true;
  sampler.join();
  auto st = ds->Stats();
  const uint64_t limit = opts.bufferSize + 256 * 1024;
  EXPECT_LE(st.bufferPeak, limit);
  EXPECT_LE(maxSeen.load(), limit);
  EXPECT_GE(st.bufferPeak, opts.bufferSize - 300 * 1000);  // the writer did hit the limit
  // The writer was held back: 18 MB at 4 uploads x 256 KiB per 20 ms needs
  // well over 0.2 s, which an unbounded buffer would not have waited.
  EXPECT_GT(writeSec, 0.2);
  EXPECT_EQ(st.bufferUsed, 0u);
  std::string out(piece.size(), '\0');
  ASSERT_TRUE(ds->Read(ino, off - piece.size(), std::span<char>(out.data(), out.size()), off).has_value());
  EXPECT_EQ(out, piece);
  ds.reset();
}

}  // namespace
}  // namespace slicefs::testing
