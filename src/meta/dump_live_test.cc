// A dump taken while a real mount renames, writes, links and deletes in a
// loop loads into a volume that passes the conformance suite's invariant
// checks (on the engines whose dump is a snapshot). On redis, whose dump
// is not a snapshot, load either gives such a volume or refuses the dump
// and leaves the target empty.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/byte_stream.h"
#include "meta/dump.h"
#include "meta/meta_test_util.h"
#include "support/mount.h"

namespace slicefs::metatest {
namespace {

class DumpLiveTest : public ::testing::TestWithParam<std::string> {};

void Churn(const std::string& m, std::atomic<bool>& stop, uint64_t seed, std::atomic<int>& ops) {
  std::mt19937_64 rng(seed);
  std::string buf(20000, 'x');
  while (!stop) {
    int i = static_cast<int>(rng() % 30), j = static_cast<int>(rng() % 30);
    std::string a = m + "/d" + std::to_string(i % 3) + "/f" + std::to_string(i);
    std::string b = m + "/d" + std::to_string(j % 3) + "/f" + std::to_string(j);
    switch (rng() % 6) {
      case 0: {
        int fd = open(a.c_str(), O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) {
          (void)!pwrite(fd, buf.data(), 1 + rng() % buf.size(), static_cast<off_t>(rng() % 100000));
          close(fd);
        }
        break;
      }
      case 1: (void)rename(a.c_str(), b.c_str()); break;
      case 2: (void)unlink(a.c_str()); break;
      case 3: (void)link(a.c_str(), b.c_str()); break;
      case 4: {
        std::string d = m + "/d" + std::to_string(i % 3) + "/sub" + std::to_string(j % 4);
        if (mkdir(d.c_str(), 0755) != 0) (void)rmdir(d.c_str());
        break;
      }
      case 5: (void)truncate(a.c_str(), static_cast<off_t>(rng() % 50000)); break;
    }
    ops++;
  }
}

TEST_P(DumpLiveTest, DumpOfAChangingVolumeLoadsConsistently) {
  std::string why;
  if (!testing::FuseAvailable(&why)) SKIP_OR_FAIL(why);
  auto url = testing::FreshEngineUrl(GetParam());
  if (!url) {
    if (url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
    FAIL() << url.error().ToString();
  }
  testing::VolumeSpec spec;
  spec.metaUrl = *url;
  spec.formatArgs = {"--trash-days", "0"};
  testing::TestMount mnt(spec);
  ASSERT_TRUE(mnt.Format().ok());
  ASSERT_TRUE(mnt.Mount().ok());
  for (int d = 0; d < 3; d++) ASSERT_EQ(mkdir((mnt / ("d" + std::to_string(d))).c_str(), 0755), 0);
  // Enough inodes that a dump takes a while, with the churn going on.
  ASSERT_EQ(mkdir((mnt / "many").c_str(), 0755), 0);
  for (int i = 0; i < 1000; i++) {
    int fd = open((mnt / ("many/" + std::to_string(i))).c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    close(fd);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> ops{0};
  const uint64_t seed = testing::TestSeed("DumpLive");
  std::thread churn(Churn, mnt.path(), std::ref(stop), seed, std::ref(ops));
  while (ops < 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto src = Must(OpenKvStore(*url));
  int loaded = 0;
  for (int round = 0; round < 4; round++) {
    SCOPED_TRACE("round " + std::to_string(round));
    StringSink doc;
    auto d = DumpVolume(*src, doc, {});
    ASSERT_TRUE(d) << d.error().ToString();
    auto target = Must(OpenKvStore(Must(testing::FreshEngineUrl(GetParam()))));
    StringSource in(doc.str());
    auto r = LoadVolume(*target, in, {});
    if (!r) {
      std::printf("%s: dump %d refused: %s\n", GetParam().c_str(), round, r.error().ToString().c_str());
      EXPECT_FALSE(d->snapshot) << "a snapshot dump was refused: " << r.error().ToString();
      EXPECT_EQ(KeyCount(*target), 0u);
      continue;
    }
    loaded++;
    auto scan = CheckInvariants(*target);
    int64_t total = -1, used = -1;
    Must(target->readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(auto t, tx.get(keys::Counter(keys::kTotalInodes)));
      ASSIGN_OR_RETURN(auto u, tx.get(keys::Counter(keys::kUsedSpace)));
      total = t ? DecodeCounter(*t) : -1;
      used = u ? DecodeCounter(*u) : -1;
      return Status::OK();
    }));
    EXPECT_EQ(total, static_cast<int64_t>(scan.inodes));
    EXPECT_EQ(used, scan.usedSpace);
    auto m = Meta::Open(std::move(target), {});
    ASSERT_TRUE(m) << m.error().ToString();
    EXPECT_TRUE((*m)->Lookup(Ctx::Root(), kRootIno, "d0"));
  }
  stop = true;
  churn.join();
  EXPECT_GT(ops.load(), 200);
  if (src->streamIsSnapshot()) {
    EXPECT_EQ(loaded, 4);
  }
  ASSERT_TRUE(mnt.Unmount().ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, DumpLiveTest, ::testing::Values("sqlite3", "redis", "postgres", "etcd"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace slicefs::metatest
