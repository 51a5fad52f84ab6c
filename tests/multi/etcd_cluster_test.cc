// A volume whose metadata lives in a three-member etcd cluster on loopback
// keeps working through its mounts when the member they talk to first is
// killed (-9): files closed before the kill read back exactly, writes go on
// (failing over to the other members), a second mount sees them, and a new
// mount of the volume works with one member down.
#include <fstream>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiEtcdCluster : public MultiMountTest {
 protected:
  void SetUp() override {
    std::string why;
    if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
    dir_ = tmp_ / "cluster";
    auto url = StartServerScript("etcd", dir_, "3");
    if (!url && url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
    ASSERT_TRUE(url.has_value()) << url.error().ToString();
    started_ = true;
    url_ = *url;
  }
  void TearDown() override {
    MultiMountTest::TearDown();
    if (!started_) return;
    std::ofstream(dir_ + "/stopsig") << "KILL";  // a graceful stop of a cluster waits for elections
    (void)StopServerScript(dir_);
  }
  // Kills member n1 (the first endpoint of the URL).
  Status KillFirstMember() {
    std::ofstream(dir_ + "/n1/stopsig") << "KILL";
    return StopServerScript(dir_ + "/n1");
  }

  TempDir tmp_{"slicefs-etcd-cluster"};
  std::string dir_;
  bool started_ = false;
};

std::string Content(int i) { return Pattern(500 + (i * 104729) % 300000, static_cast<uint32_t>(i + 77)); }

// Writes files [from, to) in dir from a child process (a hung syscall must
// not hang the test); returns how many were written and closed without error.
int WriteFiles(const std::string& dir, int from, int to) {
  ChildProcess writer([&](ChildProcess& c) {
    int ok = 0;
    for (int i = from; i < to; i++) ok += WriteFile(dir + "/f" + std::to_string(i), Content(i)) ? 1 : 0;
    c.Report(ok);
    return 0;
  });
  auto n = writer.Next(120s);
  return n ? *n : -1;
}

TEST_P(MultiEtcdCluster, VolumeSurvivesOneMemberKilled) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_EQ(mkdir((*a / "d").c_str(), 0755), 0);
  ASSERT_EQ(WriteFiles(*a / "d", 0, 20), 20);
  ASSERT_TRUE(KillFirstMember().ok());
  // Writes and namespace changes go on through the surviving members.
  EXPECT_EQ(WriteFiles(*a / "d", 20, 40), 20) << "writes failed after a member was killed";
  ASSERT_EQ(rename((*a / "d/f0").c_str(), (*a / "d/renamed").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(mkdir((*b / "from-b").c_str(), 0755), 0) << std::strerror(errno);
  // Every file closed before or after the kill reads back exactly on B.
  std::this_thread::sleep_for(kCacheTimeout + 200ms);
  EXPECT_EQ(ReadFile(*b / "d/renamed"), Content(0));
  for (int i = 1; i < 40; i++) {
    EXPECT_EQ(ReadFile(*b / ("d/f" + std::to_string(i))), Content(i)) << "f" << i << " on B";
  }
  // A new mount of the volume works with one member down.
  MOUNT_OR_RETURN(c);
  struct stat st;
  EXPECT_EQ(stat((*c / "from-b").c_str(), &st), 0);
  EXPECT_EQ(ReadFile(*c / "d/f39"), Content(39));
  ASSERT_TRUE(WriteFile(*c / "from-c", "third mount"));
  std::this_thread::sleep_for(kCacheTimeout + 200ms);
  EXPECT_EQ(ReadFile(*a / "from-c"), "third mount");
}

INSTANTIATE_TEST_SUITE_P(Cluster, MultiEtcdCluster, ::testing::Values("etcd"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
