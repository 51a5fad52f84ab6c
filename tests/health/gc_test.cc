// gc on real mounts (sqlite3 and redis): objects planted in the bucket are
// found and exactly those deleted while another mount keeps writing (its
// files stay intact, fsck finds nothing missing); young objects and objects
// of not-yet-committed slice ids are left alone; a listing failure (an
// injected fault on page 2, counted) deletes nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "health/health_env.h"
#include "object/store_wrapper.h"
#include "vfs/gc.h"
#include "vfs/maintenance.h"
#include "vfs/volume.h"

namespace slicefs::testing {
namespace {

class Gc : public ::testing::TestWithParam<std::string> {};

// Moves nextChunk past a gap of never-allocated ids and returns the gap's start.
uint64_t ReserveGap(KvStore& kv, int64_t gap) {
  int64_t next = GetCounter(kv, keys::kNextChunk);
  SetCounter(kv, keys::kNextChunk, next + gap);
  return static_cast<uint64_t>(next);
}

TEST_P(Gc, DeletesExactlyThePlantedObjectsWhileAnotherMountWrites) {
  HEALTH_VOLUME(a, url, true);
  VolumeSpec spec2 = HealthSpec(url);
  spec2.formatted = true;
  spec2.bucket = a.bucket();
  TestMount b(spec2);
  ASSERT_TRUE(b.Mount().ok());
  ASSERT_TRUE(WriteFile(a / "before", PatternBytes(7, 300000)));

  auto kv = MustKv(url);
  const uint64_t gap = ReserveGap(*kv, 1000000);
  std::vector<std::string> planted;
  for (int i = 0; i < 5; i++) planted.push_back(PlantObject(a.bucket(), "testvol", gap + 10 + i, 1000 + i, 7200));
  const std::string young = PlantObject(a.bucket(), "testvol", gap + 50, 100, 0);
  const std::string uncommitted = PlantObject(a.bucket(), "testvol", gap + 5000000, 100, 7200);

  // Mount b writes (new slices, overwrites, deletions) all the while.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); i++) {
      const std::string p = b / ("w" + std::to_string(i % 25));
      if (WriteFile(p, PatternBytes(100 + i, 70000 + i))) written++;
    }
  });
  while (written.load() < 25) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int before = written.load();
  std::string out;
  int rc = RunSlicefs({"gc", url}, &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("leaked:            5 objects"), std::string::npos) << out;
  rc = RunSlicefs({"gc", url, "--delete", "--threads", "4"}, &out);
  stop = true;
  writer.join();
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("deleted:           5 leaked objects"), std::string::npos) << out;
  EXPECT_GT(written.load(), before) << "the other mount wrote during gc";
  for (const auto& k : planted) EXPECT_FALSE(Exists(a.bucket() + "/" + k)) << k;
  EXPECT_TRUE(Exists(a.bucket() + "/" + young)) << "younger than the safety window";
  EXPECT_TRUE(Exists(a.bucket() + "/" + uncommitted)) << "slice id beyond nextChunk";

  // Nothing live went: every file reads back, and fsck finds every object.
  EXPECT_EQ(ReadFile(a / "before"), PatternBytes(7, 300000));
  for (int i = 0; i < 25; i++) {
    struct stat st {};
    ASSERT_EQ(::stat((a / ("w" + std::to_string(i))).c_str(), &st), 0);
    std::string got = ReadFile(a / ("w" + std::to_string(i)));
    EXPECT_EQ(got.size(), static_cast<size_t>(st.st_size));
  }
  ASSERT_TRUE(b.Unmount().ok());
  ASSERT_TRUE(a.Unmount().ok());
  EXPECT_EQ(RunSlicefs({"fsck", url}, &out), 0) << out;
}

// Fails the list call number `failAt` (1-based) and counts calls.
class FailingListStore : public ObjectStoreWrapper {
 public:
  FailingListStore(ObjectStore* inner, int failAt) : ObjectStoreWrapper(inner), failAt_(failAt) {}
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override {
    if (++calls == failAt_) {
      failures++;
      return Err(Status::Retryable(EIO, "injected listing failure"));
    }
    return ObjectStoreWrapper::list(prefix, startAfter, limit);
  }
  Status del(const std::string& key) override {
    deletes++;
    return ObjectStoreWrapper::del(key);
  }
  std::atomic<int> calls{0}, failures{0}, deletes{0};

 private:
  const int failAt_;
};

TEST_P(Gc, ListingFailureDeletesNothing) {
  HEALTH_VOLUME(m, url, true);
  ASSERT_TRUE(WriteFile(m / "f", "data"));
  auto kv = MustKv(url);
  const uint64_t gap = ReserveGap(*kv, 10000);
  for (int i = 0; i < 1500; i++) PlantObject(m.bucket(), "testvol", gap + i, 10, 7200);  // two listing pages

  auto vol = OpenMaintenance(url, true);
  ASSERT_TRUE(vol) << vol.error().ToString();
  VolumeOptions vo;
  vo.openData = false;
  auto metaVol = Volume::Open(url, vo);
  ASSERT_TRUE(metaVol) << metaVol.error().ToString();
  GcOptions opts;
  opts.del = true;
  {
    FailingListStore failing(vol->store.get(), 2);
    auto r = RunGc(*vol->kv, vol->fmt, failing, (*metaVol)->meta(), opts);
    ASSERT_FALSE(r) << "gc must fail when the listing fails";
    EXPECT_NE(r.error().message().find("nothing was deleted"), std::string::npos) << r.error().ToString();
    EXPECT_EQ(failing.failures.load(), 1) << "the fault was injected";
    EXPECT_EQ(failing.calls.load(), 2);
    EXPECT_EQ(failing.deletes.load(), 0);
  }
  EXPECT_EQ(FilesUnder(m.bucket() + "/testvol/chunks").size(), 1500u + 1u);
  FailingListStore counting(vol->store.get(), -1);
  auto r = RunGc(*vol->kv, vol->fmt, counting, (*metaVol)->meta(), opts);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->leaked, 1500u);
  EXPECT_EQ(r->deleted, 1500u);
  EXPECT_EQ(counting.deletes.load(), 1500);
  EXPECT_EQ(FilesUnder(m.bucket() + "/testvol/chunks").size(), 1u);
  EXPECT_EQ(ReadFile(m / "f"), "data");
}

TEST_P(Gc, CompactMergesFragmentedChunks) {
  HEALTH_VOLUME(m, url, true);
  std::string want;
  for (int i = 0; i < 10; i++) {  // ten separate appends: ten slices
    const std::string part = PatternBytes(200 + i, 3000);
    want += part;
    FILE* f = std::fopen((m / "frag").c_str(), "ab");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(part.data(), 1, part.size(), f), part.size());
    ASSERT_EQ(std::fclose(f), 0);
  }
  const Ino ino = InoOf(m / "frag");
  ASSERT_TRUE(m.Unmount().ok());
  auto kv = MustKv(url);
  ASSERT_EQ(ChunkRecords(*kv, ino, 0).size(), 10u);
  std::string out;
  ASSERT_EQ(RunSlicefs({"gc", url, "--compact"}, &out), 0) << out;
  EXPECT_NE(out.find("compact: 1 chunks"), std::string::npos) << out;
  EXPECT_EQ(ChunkRecords(*kv, ino, 0).size(), 1u);
  EXPECT_EQ(RunSlicefs({"fsck", url}, &out), 0) << out;
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_EQ(ReadFile(m / "frag"), want);
}

INSTANTIATE_TEST_SUITE_P(Engines, Gc, ::testing::ValuesIn(HealthEngines()), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
