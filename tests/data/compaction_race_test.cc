// Readers of one client stay correct while another client compacts the
// chunk they read and deletes the replaced slices underneath them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>

#include "chunk/data_store.h"
#include "vfs/meta_slices.h"
#include "data/data_env.h"
#include "support/test_util.h"

namespace slicefs::testing {
namespace {

TEST(CompactionRace, ReadersStayCorrectWhileAnotherClientCompacts) {
  TempDir dir("slicefs-crace");
  DataEnvOptions o;
  o.meta = "sqlite3";
  o.blockSizeKiB = 64;
  o.data.compactInBackground = false;
  o.data.memCacheSize = 1 << 20;  // small: readers keep going to the store
  auto envr = MakeDataEnv(o, dir.path());
  ASSERT_TRUE(envr.has_value()) << envr.error().ToString();
  DataEnv& env = **envr;
  auto otherMeta = env.OpenOtherClient();
  ASSERT_TRUE(otherMeta.has_value()) << otherMeta.error().ToString();
  MetaSlices otherSlices(**otherMeta);
  auto other = DataStore::Open(&otherSlices, &env.store(), o.data);
  ASSERT_TRUE(other.has_value());
  Ino ino = *env.NewFile("f");
  std::mt19937_64 rng(TestSeed("CompactionRace"));
  std::string model;
  int compacted = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 25; i++) {  // many slices
      uint64_t off = rng() % (1 << 20);
      std::string d(1 + rng() % 100000, '\0');
      for (auto& c : d) c = static_cast<char>(rng());
      ASSERT_TRUE(env.data().Write(ino, off, d).has_value());
      if (model.size() < off + d.size()) model.resize(off + d.size(), '\0');
      model.replace(off, d.size(), d);
      ASSERT_TRUE(env.data().Flush(ino).ok());
    }
    const uint64_t len = model.size();
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0}, reads{0};
    std::string firstErr;
    std::mutex errMu;
    auto reader = [&](uint64_t seed) {
      std::mt19937_64 r(seed);
      std::string out;
      while (!stop) {
        uint64_t off = r() % len, n = 1 + r() % 200000;
        out.assign(n, '\0');
        auto got = env.data().Read(ino, off, std::span<char>(out.data(), n), len);
        size_t want = std::min<uint64_t>(n, len - off);
        reads++;
        if (!got || *got != want || std::memcmp(out.data(), model.data() + off, want) != 0) {
          bad++;
          std::lock_guard lk(errMu);
          if (firstErr.empty()) {
            firstErr = got ? "wrong data at " + std::to_string(off) : got.error().ToString();
          }
        }
      }
    };
    std::thread r1(reader, rng()), r2(reader, rng());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Status st = (*other)->Compact(ino, 0);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (st.ok()) compacted++;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // deletions land under the readers
    stop = true;
    r1.join();
    r2.join();
    EXPECT_EQ(bad.load(), 0) << firstErr;
    EXPECT_GT(reads.load(), 10);
    auto recs = *(*otherMeta)->ReadChunk(ino, 0);  // one slice (a record per data run)
    ASSERT_FALSE(recs.empty());
    for (auto& r : recs) EXPECT_EQ(r.id, recs[0].id);
  }
  EXPECT_EQ(compacted, 4);
  // The readers did run into blocks deleted under them, and recovered.
  std::fprintf(stderr, "read retries after vanished blocks: %llu\n",
               static_cast<unsigned long long>(env.data().Stats().readRetries));
  EXPECT_GT(env.data().Stats().readRetries, 0u);
  other->reset();
  (void)(*otherMeta)->CloseSession();
}

}  // namespace
}  // namespace slicefs::testing
