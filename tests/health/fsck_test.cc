// fsck on real mounts (sqlite3 and redis): a deleted object, a wrong usage
// counter and a dropped directory entry are found (with the file named),
// --repair fixes the counter and the orphan (into /lost+found) and reports
// the file that lost data; repair is refused while a mount is alive.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "health/health_env.h"

namespace slicefs::testing {
namespace {

class Fsck : public ::testing::TestWithParam<std::string> {};

TEST_P(Fsck, FindsDamageAndRepairsWhatItCan) {
  HEALTH_VOLUME(m, url, true);
  const std::string lostData = PatternBytes(1, 200 * 1024);  // 4 blocks of 64 KiB
  const std::string keptData = PatternBytes(2, 5000);
  ASSERT_EQ(::mkdir((m / "d").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((m / "d/sub").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(m / "d/lost", lostData));
  ASSERT_TRUE(WriteFile(m / "d/sub/kept", keptData));
  ASSERT_TRUE(WriteFile(m / "d/fine", "fine"));
  ASSERT_EQ(::link((m / "d/fine").c_str(), (m / "d/fine2").c_str()), 0);
  const Ino lostIno = InoOf(m / "d/lost"), dIno = InoOf(m / "d"), subIno = InoOf(m / "d/sub");
  std::string out;
  ASSERT_NE(RunSlicefs({"fsck", url, "--repair"}, &out), 0) << out;
  EXPECT_NE(out.find("live session"), std::string::npos) << out;
  ASSERT_TRUE(m.Unmount().ok());

  ASSERT_EQ(RunSlicefs({"fsck", url}, &out), 0) << out;
  EXPECT_NE(out.find("0 problems"), std::string::npos) << out;

  // Damage: block 1 of d/lost's slice, the usage counter, the entry "sub".
  auto kv = MustKv(url);
  auto recs = ChunkRecords(*kv, lostIno, 0);
  ASSERT_EQ(recs.size(), 1u);
  const std::string obj = m.bucket() + "/" + BlockObjectKey("testvol", false, recs[0].id, 1, 65536);
  ASSERT_TRUE(Exists(obj)) << obj;
  ASSERT_EQ(::unlink(obj.c_str()), 0);
  const int64_t used = GetCounter(*kv, keys::kUsedSpace);
  SetCounter(*kv, keys::kUsedSpace, used + 123456);
  ASSERT_TRUE(kv->txn([&](KvTxn& tx) -> Status {
    tx.del(keys::Entry(dIno, "sub"));
    return Status::OK();
  }).ok());

  ASSERT_NE(RunSlicefs({"fsck", url}, &out), 0) << out;
  EXPECT_NE(out.find("objects: /d/lost: lost data in bytes [65536, 131072)"), std::string::npos) << out;
  EXPECT_NE(out.find("usage: usage counters: usedSpace " + std::to_string(used + 123456)), std::string::npos) << out;
  EXPECT_NE(out.find("orphans: inode " + std::to_string(subIno) + " (directory"), std::string::npos) << out;
  EXPECT_NE(out.find("dir-nlink: /d: directory nlink 3, expected 2"), std::string::npos) << out;
  EXPECT_EQ(out.find("file-links"), std::string::npos) << "the hard link is consistent: " << out;
  // /d's stats still count the dropped "sub" (one inode).
  EXPECT_NE(out.find("dir-stats: /d: directory stats say length " ), std::string::npos) << out;
  EXPECT_NE(out.find("inodes 4, recount length"), std::string::npos) << out;

  ASSERT_NE(RunSlicefs({"fsck", url, "--repair"}, &out), 0) << "the lost data stays broken: " << out;
  EXPECT_NE(out.find("(moved to /lost+found/#" + std::to_string(subIno) + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("/d/lost: lost data in bytes [65536, 131072)"), std::string::npos) << out;
  EXPECT_NE(out.find("1 files lost data"), std::string::npos) << out;
  EXPECT_EQ(GetCounter(*kv, keys::kUsedSpace), used) << "usage recounted";

  ASSERT_NE(RunSlicefs({"fsck", url}, &out), 0) << out;
  EXPECT_EQ(out.find("usage:"), std::string::npos) << out;
  EXPECT_EQ(out.find("orphans:"), std::string::npos) << out;
  EXPECT_EQ(out.find("dir-nlink:"), std::string::npos) << out;
  EXPECT_EQ(out.find("dir-stats:"), std::string::npos) << "/d recounted, / and /lost+found kept: " << out;
  EXPECT_NE(out.find("1 problems"), std::string::npos) << "only the lost object is left: " << out;

  // The orphan is back, with its content, in /lost+found.
  ASSERT_TRUE(m.Mount().ok());
  EXPECT_EQ(ReadFile(m / ("lost+found/#" + std::to_string(subIno) + "/kept")), keptData);
  struct stat st {};
  ASSERT_EQ(::stat((m / "lost+found").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 3u);  // 2 + the orphan directory
  ASSERT_EQ(::stat((m / "d").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(ReadFile(m / "d/fine2"), "fine");
  ASSERT_TRUE(m.Unmount().ok());
}

TEST_P(Fsck, PathModeHeadsOnlyTheSubtree) {
  HEALTH_VOLUME(m, url, true);
  ASSERT_EQ(::mkdir((m / "a").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((m / "b").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(m / "a/x", PatternBytes(3, 70000)));
  ASSERT_TRUE(WriteFile(m / "b/y", PatternBytes(4, 70000)));
  const Ino y = InoOf(m / "b/y");
  ASSERT_TRUE(m.Unmount().ok());
  auto kv = MustKv(url);
  auto recs = ChunkRecords(*kv, y, 0);
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_EQ(::unlink((m.bucket() + "/" + BlockObjectKey("testvol", false, recs[0].id, 0, 65536)).c_str()), 0);
  std::string out;
  EXPECT_EQ(RunSlicefs({"fsck", url, "--path", "/a"}, &out), 0) << out;
  EXPECT_NE(out.find(" 2 objects"), std::string::npos) << "HEAD of a/x, 2 blocks: " << out;
  EXPECT_NE(RunSlicefs({"fsck", url, "--path", "/b", "--threads", "4"}, &out), 0) << out;
  EXPECT_NE(out.find("/b/y: lost data in bytes [0, 65536)"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"fsck", url, "--path", "/nope"}, &out), 0) << out;
  EXPECT_NE(out.find("no such path"), std::string::npos) << out;
}

TEST_P(Fsck, OpenUnlinkedFileOfALiveMountIsNotAnOrphan) {
  HEALTH_VOLUME(m, url, true);
  ASSERT_TRUE(WriteFile(m / "open", PatternBytes(5, 100000)));
  int fd = ::open((m / "open").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::unlink((m / "open").c_str()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the mount flushes its usage deltas
  std::string out;
  EXPECT_EQ(RunSlicefs({"fsck", url}, &out), 0) << out;
  EXPECT_EQ(out.find("orphans"), std::string::npos) << out;
  char buf[10];
  EXPECT_EQ(::read(fd, buf, sizeof buf), 10) << "still readable";
  ::close(fd);
  ASSERT_TRUE(m.Unmount().ok());
  EXPECT_EQ(RunSlicefs({"fsck", url}, &out), 0) << "destroyed at the last close: " << out;
}

INSTANTIATE_TEST_SUITE_P(Engines, Fsck, ::testing::ValuesIn(HealthEngines()), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
