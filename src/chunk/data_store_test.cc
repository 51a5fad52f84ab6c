// Unit tests of the data path over a FakeMeta (tests/support/fake_meta.h)
// and the mem / file object stores.
#include "chunk/data_store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "chunk/block_key.h"
#include "chunk/data_store_impl.h"
#include "object/file_store.h"
#include "object/mem_store.h"
#include "support/fake_meta.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

using testing::FakeMeta;
using testing::TempDir;
using testing::PatternBytes;

VolumeFormat Fmt(uint32_t blockKiB = 64, bool hashPrefix = false) {
  VolumeFormat f;
  f.name = "vol";
  f.uuid = "u";
  f.blockSizeKiB = blockKiB;
  f.hashPrefix = hashPrefix;
  return f;
}

std::string ReadAll(DataStore& ds, Ino ino, uint64_t off, size_t n, uint64_t length) {
  std::string out(n, '\xee');
  auto r = ds.Read(ino, off, std::span<char>(out.data(), n), length);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().ToString());
  out.resize(r ? *r : 0);
  return out;
}

std::vector<std::string> AllKeys(ObjectStore& s, const std::string& prefix) {
  std::vector<std::string> keys;
  std::string after;
  for (;;) {
    auto page = s.list(prefix, after, 1000);
    EXPECT_TRUE(page.has_value());
    if (!page) break;
    for (auto& o : page->objects) keys.push_back(o.key);
    if (!page->truncated) break;
    after = page->objects.back().key;
  }
  return keys;
}

TEST(DataStore, ReadsOwnPendingWritesThenCommittedData) {
  FakeMeta meta(Fmt());
  MemStore store;
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  std::string a = PatternBytes(1, 200000);
  ASSERT_EQ(*ds->Write(5, 1000, a), a.size());
  EXPECT_EQ(ds->PendingLength(5), 201000u);
  EXPECT_EQ(ReadAll(*ds, 5, 0, 1000, 201000), std::string(1000, '\0'));
  EXPECT_EQ(ReadAll(*ds, 5, 1000, a.size(), 201000), a);
  EXPECT_EQ(ReadAll(*ds, 5, 150000, 100000, 201000), a.substr(149000));  // short at EOF
  ASSERT_TRUE(ds->Flush(5).ok());
  EXPECT_EQ(ds->PendingLength(5), 0u);
  EXPECT_EQ(meta.Length(5), 201000u);
  auto recs = *meta.ReadChunk(5, 0);
  ASSERT_EQ(recs.size(), 1u);  // one continuous write = one slice
  EXPECT_EQ(recs[0].len, 200000u);
  // Another client (fresh DataStore, no caches) sees the data.
  MemStore* s = &store;
  auto other = *DataStore::Open(&meta, s, DataOptions{});
  EXPECT_EQ(ReadAll(*other, 5, 1000, a.size(), 201000), a);
  EXPECT_EQ(ReadAll(*other, 5, 300000, 10, 201000), "");
}

// A read takes this client's pending slices, then the committed records. If
// slices are written, committed and retired between those two steps, the
// snapshot holds a slice older than records committed after it; laid on top
// it would give a mix that never existed (here: 4 KiB of version 1 over
// version 2). The read must notice and read both again.
TEST(DataStore, ReadRacingCommitsNeverLaysAnOlderPendingSliceOnTop) {
  FakeMeta meta(Fmt());
  MemStore store;
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  const std::string v1(4096, '1'), v2(8192, '2');
  ASSERT_EQ(*ds->Write(4, 0, v1), v1.size());  // pending slice S1
  meta.onReadChunk = [&] {                     // between the reader's two steps:
    ASSERT_EQ(*ds->Write(4, 0, v2), v2.size());  // S2 over all of S1
    ASSERT_TRUE(ds->Flush(4).ok());              // both committed and retired
  };
  EXPECT_EQ(ReadAll(*ds, 4, 0, 8192, 8192), v2);
  EXPECT_FALSE(meta.onReadChunk) << "the hook ran";
  EXPECT_EQ(meta.ReadChunk(4, 0)->size(), 2u);
}

TEST(DataStore, SlicesFollowWriteOrderAndNeverCrossChunks) {
  FakeMeta meta(Fmt());
  MemStore store;
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  std::string a = PatternBytes(2, 300000), b = PatternBytes(3, 100);
  ASSERT_TRUE(ds->Write(7, kChunkSize - 100000, a).has_value());   // crosses into chunk 1
  ASSERT_TRUE(ds->Write(7, kChunkSize - 50, b).has_value());        // overwrite, non-contiguous
  ASSERT_TRUE(ds->Flush(7).ok());
  auto c0 = *meta.ReadChunk(7, 0), c1 = *meta.ReadChunk(7, 1);
  ASSERT_EQ(c0.size(), 2u);
  ASSERT_EQ(c1.size(), 2u);
  EXPECT_EQ(c0[0].pos + c0[0].len, kChunkSize);
  EXPECT_EQ(c1[0].pos, 0u);
  EXPECT_EQ(c1[0].len, 200000u);
  std::string want = a;
  want.replace(100000 - 50, 100, b);
  EXPECT_EQ(ReadAll(*ds, 7, kChunkSize - 100000, a.size(), kChunkSize + 200000), want);
}

TEST(DataStore, LayoutKeysMatchPatternAndSizes) {
  for (bool hp : {false, true}) {
    TempDir dir;
    FakeMeta meta(Fmt(64, hp));
    FileStore store(dir.path());
    auto ds = *DataStore::Open(&meta, &store, DataOptions{});
    std::string a = PatternBytes(4, 64 * 1024 * 3 + 777);
    ASSERT_TRUE(ds->Write(9, 0, a).has_value());
    ASSERT_TRUE(ds->Write(9, 10, std::string_view("xyz")).has_value());
    ASSERT_TRUE(ds->Flush(9).ok());
    auto keys = AllKeys(store, "vol/chunks/");
    EXPECT_EQ(keys.size(), 5u);
    for (auto& k : keys) {
      auto p = ParseBlockObjectKey("vol", hp, k);
      ASSERT_TRUE(p.has_value()) << k;
      EXPECT_EQ(store.head(k)->size, p->blockLen) << k;
      EXPECT_EQ(ds->BlockKey(p->id, p->block, p->blockLen), k);
    }
  }
}

TEST(DataStore, SmallColdReadUsesRangedGetAndBlocksAreSingleFlight) {
  FakeMeta meta(Fmt(1024));
  MemStore store;
  {
    auto w = *DataStore::Open(&meta, &store, DataOptions{});
    ASSERT_TRUE(w->Write(3, 0, PatternBytes(5, 1 << 20)).has_value());
    ASSERT_TRUE(w->Flush(3).ok());
  }
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  std::string a = PatternBytes(5, 1 << 20);
  EXPECT_EQ(ReadAll(*ds, 3, 5000, 100, 1 << 20), a.substr(5000, 100));
  auto st = ds->Stats();
  EXPECT_EQ(st.rangeGets, 1u);
  EXPECT_EQ(st.blockGets, 0u);
  // Many readers of one block: one whole-block GET.
  store.SetHook([](const char* op, const std::string&) {
    if (std::string(op) == "get") std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return Status::OK();
  });
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int i = 0; i < 8; i++) {
    ts.emplace_back([&, i] {
      std::string out(500000, '\0');
      auto r = ds->Read(3, 1000 * i, std::span<char>(out.data(), out.size()), 1 << 20);
      if (!r || out != a.substr(1000 * i, 500000)) bad++;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(ds->Stats().blockGets, 1u);
}

TEST(DataStore, BackPressureBoundsBufferedBytes) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  store.SetHook([](const char* op, const std::string&) {
    if (std::string(op) == "put") std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return Status::OK();
  });
  DataOptions opts;
  opts.bufferSize = 1 << 20;  // 1 MiB
  opts.maxUploads = 4;
  auto ds = *DataStore::Open(&meta, &store, opts);
  std::string piece = PatternBytes(6, 100 * 1000);
  uint64_t total = 0;
  for (int i = 0; i < 100; i++) {
    ASSERT_TRUE(ds->Write(11, total, piece).has_value());
    total += piece.size();
  }
  // A single write far larger than the buffer also goes through.
  std::string big = PatternBytes(7, 5 << 20);
  ASSERT_TRUE(ds->Write(11, total, big).has_value());
  total += big.size();
  ASSERT_TRUE(ds->Flush(11).ok());
  auto st = ds->Stats();
  EXPECT_LE(st.bufferPeak, opts.bufferSize + 64 * 1024);
  EXPECT_GT(st.bufferPeak, opts.bufferSize / 2);  // the test did fill the buffer
  EXPECT_EQ(st.bufferUsed, 0u);
  EXPECT_EQ(meta.Length(11), total);
  EXPECT_EQ(ReadAll(*ds, 11, total - big.size(), big.size(), total), big);
}

// Resident memory of this process, in bytes (/proc/self/statm).
uint64_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// A block's memory is returned as soon as the block is stored, not when its
// slice commits: streaming a file must not keep a whole 64 MiB chunk of
// uploaded blocks resident on top of bufferSize.
TEST(DataStore, StoredBlocksReleaseTheirMemoryBeforeTheSliceCommits) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory resident (its quarantine), so resident size "
                  "says nothing here; the normal build (make test) runs this test";
#endif
  TempDir dir("slicefs-rss");
  FakeMeta meta(Fmt(1024));  // 1 MiB blocks
  FileStore store(dir.path() + "/bucket");
  DataOptions opts;
  opts.bufferSize = 8 << 20;
  opts.maxUploads = 4;
  auto ds = *DataStore::Open(&meta, &store, opts);
  const std::string piece = PatternBytes(9, 1 << 20);
  const uint64_t base = ResidentBytes();
  std::atomic<bool> done{false};
  std::atomic<uint64_t> peak{base};
  std::thread sampler([&] {
    while (!done.load()) {
      uint64_t r = ResidentBytes();
      if (r > peak.load()) peak.store(r);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const int kMiB = 160;  // 2.5 chunks, so whole slices of 64 MiB stream by
  for (int i = 0; i < kMiB; i++) {
    ASSERT_TRUE(ds->Write(12, static_cast<uint64_t>(i) << 20, piece).has_value());
  }
  ASSERT_TRUE(ds->Flush(12).ok());
  done = true;
  sampler.join();
  const double grewMiB = static_cast<double>(peak.load() - base) / (1 << 20);
  std::fprintf(stderr, "resident growth while streaming %d MiB with an 8 MiB buffer: %.1f MiB\n", kMiB, grewMiB);
  EXPECT_LT(grewMiB, 8 + 24) << "stored blocks stayed resident until their slice committed";
  EXPECT_EQ(meta.Length(12), static_cast<uint64_t>(kMiB) << 20);
  EXPECT_EQ(ReadAll(*ds, 12, 100 << 20, 1 << 20, meta.Length(12)), piece);
}

TEST(DataStore, SmallBufferWithManySlicesDoesNotDeadlock) {
  FakeMeta meta(Fmt(1024));
  MemStore store;
  DataOptions opts;
  opts.bufferSize = 256 * 1024;
  auto ds = *DataStore::Open(&meta, &store, opts);
  // Each write starts a new slice in its own chunk, so every buffer sits in
  // a filling block that only pressure relief uploads.
  std::string p = PatternBytes(8, 100 * 1024);
  for (int i = 0; i < 20; i++) ASSERT_TRUE(ds->Write(12, i * kChunkSize, p).has_value());
  ASSERT_TRUE(ds->FlushAll().ok());
  EXPECT_EQ(ReadAll(*ds, 12, 19 * kChunkSize, p.size(), 19 * kChunkSize + p.size()), p);
}

TEST(DataStore, UploadFailureIsReportedByFlush) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  store.SetHook([](const char* op, const std::string&) {
    if (std::string(op) == "put") return Status::Error(EACCES, "denied");
    return Status::OK();
  });
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  ASSERT_TRUE(ds->Write(13, 0, PatternBytes(9, 1000)).has_value());
  Status st = ds->Flush(13);
  EXPECT_EQ(st.code(), EIO);
  EXPECT_TRUE(meta.ReadChunk(13, 0)->empty());  // nothing half-committed
  EXPECT_TRUE(ds->Flush(13).ok());  // reported once
}

TEST(DataStore, DeleteSliceAndDeleterRemoveAllObjects) {
  TempDir dir;
  FakeMeta meta(Fmt(64));
  FileStore store(dir.path());
  auto ds = *DataStore::Open(&meta, &store, DataOptions{});
  ASSERT_TRUE(ds->Write(20, 0, PatternBytes(10, 300000)).has_value());
  ASSERT_TRUE(ds->Write(20, kChunkSize + 5, PatternBytes(11, 70000)).has_value());
  ASSERT_TRUE(ds->Flush(20).ok());
  EXPECT_EQ(AllKeys(store, "vol/chunks/").size(), 5u + 2u);
  meta.Remove(20);
  for (int i = 0; i < 100 && !AllKeys(store, "vol/chunks/").empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(AllKeys(store, "vol/chunks/").empty());
  // Direct call: ceil(size/blockSize) blocks, the last one shorter.
  std::string blk(64 * 1024, 'x');
  ASSERT_TRUE(store.put(ds->BlockKey(99, 0, 65536), blk).ok());
  ASSERT_TRUE(store.put(ds->BlockKey(99, 1, 10), std::string(10, 'y')).ok());
  ASSERT_TRUE(ds->DeleteSlice(99, 65546).ok());
  EXPECT_TRUE(AllKeys(store, "vol/").empty());
}

TEST(DataStore, CompactionMergesSlicesDeletesOldOnesAndKeepsData) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  DataOptions opts;
  opts.compactInBackground = false;
  auto ds = *DataStore::Open(&meta, &store, opts);
  std::string model(500000, '\0');
  std::mt19937_64 rng(testing::TestSeed("DataStore.Compaction"));
  for (int i = 0; i < 40; i++) {
    uint64_t off = rng() % 400000, n = 1 + rng() % 100000;
    std::string d = PatternBytes(rng(), n);
    ASSERT_TRUE(ds->Write(30, off, d).has_value());
    model.replace(off, n, d);
    ASSERT_TRUE(ds->Flush(30).ok());
  }
  uint64_t len = meta.Length(30);
  model.resize(len);
  ASSERT_GE(meta.ReadChunk(30, 0)->size(), 40u);
  EXPECT_EQ(ReadAll(*ds, 30, 0, len, len), model);
  size_t before = store.Count();
  ASSERT_TRUE(ds->Compact(30, 0).ok());
  EXPECT_EQ(meta.ReadChunk(30, 0)->size(), 1u);
  EXPECT_EQ(ReadAll(*ds, 30, 0, len, len), model);
  for (int i = 0; i < 100 && store.Count() > BlockCount(len, 65536); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(store.Count(), before);
  EXPECT_LE(store.Count(), BlockCount(len, 65536));
  auto other = *DataStore::Open(&meta, &store, opts);
  EXPECT_EQ(ReadAll(*other, 30, 0, len, len), model);
}

TEST(DataStore, CompactionLosesRaceWithTruncateAndCleansUp) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  DataOptions opts;
  opts.compactInBackground = false;
  auto ds = *DataStore::Open(&meta, &store, opts);
  for (int i = 0; i < 5; i++) {
    ASSERT_TRUE(ds->Write(31, i * 1000, PatternBytes(i, 1000)).has_value());
    ASSERT_TRUE(ds->Flush(31).ok());
  }
  size_t objects = store.Count();
  // Another client truncates the file while this one compacts: simulate via
  // a put hook that truncates the moment the compacted block is uploaded.
  std::atomic<bool> once{false};
  store.SetHook([&](const char* op, const std::string&) {
    if (std::string(op) == "put" && !once.exchange(true)) {
      meta.Truncate(31, 0);
    }
    return Status::OK();
  });
  Status st = ds->Compact(31, 0);
  EXPECT_EQ(st.code(), ECANCELED);
  EXPECT_EQ(ds->Stats().compactionsCanceled, 1u);
  // The new slice's objects are deleted, and so are the truncated ones.
  for (int i = 0; i < 100 && store.Count() > 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(store.Count(), 0u) << "objects before: " << objects;
}

TEST(DataStore, CompactionKeepsAnAppendCommittedMeanwhile) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  DataOptions opts;
  opts.compactInBackground = false;
  auto ds = *DataStore::Open(&meta, &store, opts);
  std::string model;
  for (int i = 0; i < 5; i++) {
    std::string d = PatternBytes(i, 1000);
    ASSERT_TRUE(ds->Write(33, model.size(), d).has_value());
    ASSERT_TRUE(ds->Flush(33).ok());
    model += d;
  }
  // A second client appends while the first compacts.
  auto other = *DataStore::Open(&meta, &store, opts);
  std::string tail = PatternBytes(99, 700);
  std::atomic<bool> once{false};
  store.SetHook([&](const char* op, const std::string&) {
    if (std::string(op) == "put" && !once.exchange(true)) {
      std::thread([&] {
        EXPECT_TRUE(other->Write(33, 5000, tail).has_value());
        EXPECT_TRUE(other->Flush(33).ok());
      }).join();
    }
    return Status::OK();
  });
  ASSERT_TRUE(ds->Compact(33, 0).ok());
  store.SetHook(nullptr);
  model += tail;
  auto recs = *meta.ReadChunk(33, 0);
  ASSERT_EQ(recs.size(), 2u) << "the compacted slice, then the append";
  EXPECT_EQ(recs[1].pos, 5000u);
  auto fresh = *DataStore::Open(&meta, &store, opts);
  EXPECT_EQ(ReadAll(*fresh, 33, 0, model.size(), model.size()), model);
}

TEST(DataStore, BackgroundCompactionAfterManySmallAppends) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  DataOptions opts;
  opts.compactThreshold = 8;
  auto ds = *DataStore::Open(&meta, &store, opts);
  std::string model;
  for (int i = 0; i < 30; i++) {
    std::string d = PatternBytes(100 + i, 333);
    ASSERT_TRUE(ds->Write(32, model.size(), d).has_value());
    model += d;
    ASSERT_TRUE(ds->Flush(32).ok());
  }
  for (int i = 0; i < 200 && ds->Stats().compactions == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(ds->Stats().compactions, 1u);
  EXPECT_LT(meta.ReadChunk(32, 0)->size(), 30u);
  EXPECT_EQ(ReadAll(*ds, 32, 0, model.size(), model.size()), model);
}

TEST(DataStore, CorruptDiskCacheBlockIsDiscardedAndRefetched) {
  TempDir dir;
  FakeMeta meta(Fmt(64));
  FileStore store(dir.path() + "/bucket");
  DataOptions opts;
  opts.cacheDir = dir.path() + "/cache";
  opts.memCacheSize = 0;  // every read goes to disk
  std::string a = PatternBytes(12, 100000);
  {
    auto ds = *DataStore::Open(&meta, &store, opts);
    ASSERT_TRUE(ds->Write(40, 0, a).has_value());
    ASSERT_TRUE(ds->Flush(40).ok());
    EXPECT_EQ(ReadAll(*ds, 40, 0, a.size(), a.size()), a);  // fills the disk cache
  }
  // Restart: the cache survives; corrupt the cached copy of block 0.
  auto ds = *DataStore::Open(&meta, &store, opts);
  auto* impl = static_cast<DataStoreImpl*>(ds.get());
  auto recs = *meta.ReadChunk(40, 0);
  std::string key = ds->BlockKey(recs[0].id, 0, 65536);
  ASSERT_TRUE(impl->disk_cache()->Contains(key));
  std::string path = impl->disk_cache()->PathOf(key);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.write("CORRUPTED", 9);
  }
  EXPECT_EQ(ReadAll(*ds, 40, 0, a.size(), a.size()), a);
  EXPECT_EQ(ds->Stats().diskCacheCorrupt, 1u);
  EXPECT_GE(ds->Stats().blockGets, 1u);
  EXPECT_EQ(ReadAll(*ds, 40, 0, a.size(), a.size()), a);  // re-cached, good copy
  EXPECT_GE(ds->Stats().diskCacheHits, 2u);
}

TEST(DiskCache, EvictsWhenFullAndRebuildsIndexOnReopen) {
  TempDir dir;
  auto c = *DiskCache::Open(dir.path(), 300 * 1024, 0);
  std::string blk(100 * 1024, 'z');
  for (int i = 0; i < 5; i++) c->Put("vol/chunks/0/0/" + std::to_string(i) + "_0_102400", blk);
  EXPECT_LE(c->used(), 300u * 1024);
  EXPECT_FALSE(c->Get("vol/chunks/0/0/0_0_102400").has_value());
  EXPECT_EQ(*c->Get("vol/chunks/0/0/4_0_102400"), blk);
  size_t files = c->files();
  c.reset();
  auto again = *DiskCache::Open(dir.path(), 300 * 1024, 0);
  EXPECT_EQ(again->files(), files);
  EXPECT_EQ(*again->Get("vol/chunks/0/0/4_0_102400"), blk);
}

TEST(DiskCache, RespectsFreeSpaceFloor) {
  TempDir dir;
  // A floor no real disk satisfies: nothing may be cached.
  auto c = *DiskCache::Open(dir.path(), 1ULL << 30, 0.99999);
  c->Put("vol/chunks/0/0/1_0_5", std::string("hello"));
  EXPECT_EQ(c->files(), 0u);
  EXPECT_FALSE(c->Get("vol/chunks/0/0/1_0_5").has_value());
  auto ok = *DiskCache::Open(dir.path(), 1ULL << 30, 0.0);
  ok->Put("vol/chunks/0/0/1_0_5", std::string("hello"));
  EXPECT_EQ(*ok->Get("vol/chunks/0/0/1_0_5"), "hello");
}

TEST(DataStore, SequentialReadPrefetchesAhead) {
  FakeMeta meta(Fmt(64));
  MemStore store;
  std::string a = PatternBytes(13, 4 << 20);
  {
    auto w = *DataStore::Open(&meta, &store, DataOptions{});
    ASSERT_TRUE(w->Write(50, 0, a).has_value());
    ASSERT_TRUE(w->Flush(50).ok());
  }
  DataOptions opts;
  opts.readaheadMax = 1 << 20;
  auto ds = *DataStore::Open(&meta, &store, opts);
  std::string got;
  for (uint64_t off = 0; off < a.size(); off += 128 * 1024) got += ReadAll(*ds, 50, off, 128 * 1024, a.size());
  EXPECT_EQ(got, a);
  auto st = ds->Stats();
  EXPECT_GT(st.memCacheHits, 0u);  // later reads found prefetched blocks
  EXPECT_EQ(st.blockGets + st.rangeGets, 64u + st.rangeGets);  // every block fetched once
}

}  // namespace
}  // namespace slicefs
