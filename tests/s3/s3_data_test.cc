// The data path (DataStore) over the S3 backend on a real s3rver: blocks
// land in the documented layout, read back from a fresh client, and an S3
// outage during writes never commits a slice whose blocks are not all
// stored.
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "chunk/block_key.h"
#include "chunk/data_store.h"
#include "object/s3_store.h"
#include "support/fake_meta.h"
#include "support/s3_server.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using testing::FakeMeta;
using testing::S3Server;
using testing::PatternBytes;

VolumeFormat Fmt(const std::string& bucketUrl) {
  VolumeFormat f;
  f.name = "s3vol";
  f.uuid = "u";
  f.storage = "s3";
  f.bucket = bucketUrl;
  f.accessKey = S3Server::kAccessKey;
  f.secretKey = S3Server::kSecretKey;
  f.blockSizeKiB = 64;
  return f;
}

std::string ReadBack(DataStore& ds, Ino ino, size_t n) {
  std::string out(n, '\xee');
  auto r = ds.Read(ino, 0, std::span<char>(out.data(), n), n);
  if (!r) return "<error " + r.error().ToString() + ">";
  out.resize(*r);
  return out;
}

// Every block of every slice recorded in `meta` for `inos` exists in the
// store with the length its key names.
void ExpectAllBlocksStored(FakeMeta& meta, ObjectStore& store, const VolumeFormat& fmt,
                           const std::vector<Ino>& inos) {
  uint32_t bs = fmt.blockSizeKiB * 1024;
  for (Ino ino : inos) {
    uint64_t len = meta.Length(ino);
    for (uint32_t idx = 0; idx * kChunkSize < len; idx++) {
      auto recs = meta.ReadChunk(ino, idx);
      ASSERT_TRUE(recs.has_value());
      for (const auto& r : *recs) {
        if (r.id == 0) continue;
        for (uint32_t b = 0; b < BlockCount(r.size, bs); b++) {
          std::string key = BlockObjectKey(fmt.name, fmt.hashPrefix, r.id, b, BlockLength(r.size, bs, b));
          auto h = store.head(key);
          ASSERT_TRUE(h.has_value()) << "committed slice " << r.id << " lacks " << key << ": "
                                     << h.error().ToString();
          EXPECT_EQ(h->size, BlockLength(r.size, bs, b)) << key;
        }
      }
    }
  }
}

TEST(S3Data, WriteFlushReadFromFreshClientInLayout) {
  std::string why;
  auto* server = testing::SharedS3Server(&why);
  if (!server) SKIP_OR_FAIL("s3rver unavailable: " + why);
  VolumeFormat fmt = Fmt(server->bucketUrl("data-" + std::to_string(getpid())));
  auto store = OpenS3Store(fmt);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  ASSERT_TRUE((*store)->create().ok());
  FakeMeta meta(fmt);
  auto ds = DataStore::Open(&meta, store->get(), DataOptions{});
  ASSERT_TRUE(ds.has_value());
  std::string a = PatternBytes(1, 1000000), b = PatternBytes(2, 70000);
  ASSERT_EQ(*(*ds)->Write(10, 0, a), a.size());
  ASSERT_EQ(*(*ds)->Write(10, 300000, b), b.size());  // overwrite in the middle
  ASSERT_EQ(*(*ds)->Write(11, 5, b), b.size());
  ASSERT_TRUE((*ds)->Flush(10).ok());
  ASSERT_TRUE((*ds)->Flush(11).ok());
  std::string want = a;
  want.replace(300000, b.size(), b);

  auto fresh = DataStore::Open(&meta, store->get(), DataOptions{});
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(ReadBack(**fresh, 10, want.size()) == want);
  EXPECT_EQ(ReadBack(**fresh, 11, b.size() + 5), std::string(5, '\0') + b);
  ExpectAllBlocksStored(meta, **store, fmt, {10, 11});

  // Everything under {volume}/chunks/ parses as a block key of the layout.
  auto page = (*store)->list(ChunksPrefix(fmt.name), "", 10000);
  ASSERT_TRUE(page.has_value());
  EXPECT_GE(page->objects.size(), 16u);  // 1 MB in 64 KiB blocks
  for (const auto& o : page->objects) {
    auto k = ParseBlockObjectKey(fmt.name, fmt.hashPrefix, o.key);
    ASSERT_TRUE(k.has_value()) << o.key;
    EXPECT_EQ(o.size, k->blockLen) << o.key;
  }
}

TEST(S3Data, ServerRestartDuringWritesNeverCommitsMissingBlocks) {
  auto server = S3Server::Start();
  if (!server) SKIP_OR_FAIL("s3rver unavailable: " + server.error().message());
  VolumeFormat fmt = Fmt((*server)->bucketUrl("outage"));
  auto cfg = S3Config::FromFormat(fmt);
  ASSERT_TRUE(cfg.has_value());
  cfg->ioRetries = 6;
  cfg->backoffBaseMs = 100;
  cfg->backoffMaxMs = 800;
  cfg->putTimeoutMs = cfg->getTimeoutMs = 5000;
  S3Store store(*cfg);
  ASSERT_TRUE(store.create().ok());
  FakeMeta meta(fmt);
  DataOptions opts;
  auto ds = DataStore::Open(&meta, &store, opts);
  ASSERT_TRUE(ds.has_value());

  uint64_t seed = testing::TestSeed("ServerRestartDuringWritesNeverCommitsMissingBlocks");
  std::atomic<bool> stop{false};
  std::map<Ino, std::string> committed;  // files whose Flush returned OK
  std::vector<Ino> all;
  int failed = 0, other = 0;
  std::thread writer([&] {
    std::mt19937_64 rng(seed);
    for (Ino ino = 1000; !stop.load(); ino++) {
      std::string data = PatternBytes(rng(), 100000 + rng() % 200000);
      all.push_back(ino);
      auto w = (*ds)->Write(ino, 0, data);
      Status st = w.has_value() ? (*ds)->Flush(ino) : w.error();
      if (st.ok()) committed[ino] = data;
      else if (st.is(EIO)) failed++;
      else other++;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_TRUE((*server)->stop().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ASSERT_TRUE((*server)->restart().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  writer.join();
  std::fprintf(stderr, "files committed=%zu failed(EIO)=%d other=%d\n", committed.size(), failed, other);
  EXPECT_EQ(other, 0);
  EXPECT_GT(committed.size(), 2u);
  ExpectAllBlocksStored(meta, store, fmt, all);
  auto fresh = DataStore::Open(&meta, &store, DataOptions{});
  ASSERT_TRUE(fresh.has_value());
  for (auto& [ino, data] : committed) {
    EXPECT_EQ(meta.Length(ino), data.size()) << ino;
    EXPECT_TRUE(ReadBack(**fresh, ino, data.size()) == data) << "file " << ino;
  }
}

}  // namespace
}  // namespace slicefs
