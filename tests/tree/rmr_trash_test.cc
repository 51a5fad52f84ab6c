// rmr, the hourly trash, restore and the background purge on real mounts.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cstring>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tree/tree_util.h"

namespace slicefs::testing {
namespace {
namespace fs = std::filesystem;

class Trash : public TreeTest {};

std::string HourOf(const std::string& trashEntry) { return trashEntry.substr(0, trashEntry.find('/')); }

TEST_P(Trash, RmrMovesTheTreeIntoTheHourAndRestorePutsItBack) {
  const std::string root = *m_ / "proj";
  MakeTree(root, 5, 20);
  const auto want = TreeDigest(root);
  struct stat st;
  ASSERT_EQ(stat(root.c_str(), &st), 0);
  std::string out;
  ASSERT_EQ(RunSlicefs({"rmr", root}, &out), 0) << out;
  EXPECT_FALSE(fs::exists(root));
  // One entry for the whole tree, named {parent}-{ino}-{name}.
  auto entries = TrashEntries(*m_);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].substr(entries[0].find('/') + 1), "1-" + std::to_string(st.st_ino) + "-proj");
  EXPECT_EQ(TreeDigest(*m_ / (".trash/" + entries[0])), want);
  ASSERT_EQ(RunSlicefs({"restore", m_->metaUrl(), HourOf(entries[0]), "--put-back"}, &out), 0) << out;
  EXPECT_EQ(TreeDigest(root), want);
  EXPECT_TRUE(TrashEntries(*m_).empty());
}

TEST_P(Trash, TreeRemovedByRmDashRIsRestoredWithItsContents) {
  const std::string root = *m_ / "src";
  MakeTree(root, 3, 10);
  const auto want = TreeDigest(root);
  ASSERT_EQ(RunCommand({"rm", "-r", root}), 0);
  // rm -r unlinks each file and rmdirs each directory: all of it is in the
  // trash, one entry each.
  auto entries = TrashEntries(*m_);
  EXPECT_EQ(entries.size(), want.size() + 1);
  std::string out;
  ASSERT_EQ(RunSlicefs({"restore", m_->metaUrl(), HourOf(entries[0])}, &out), 0) << out;
  // Without --put-back the tree is rebuilt inside the hour directory.
  auto rebuilt = TrashEntries(*m_);
  ASSERT_EQ(rebuilt.size(), 1u) << out;
  EXPECT_EQ(TreeDigest(*m_ / (".trash/" + rebuilt[0])), want);
  ASSERT_EQ(RunSlicefs({"restore", m_->metaUrl(), HourOf(entries[0]), "--put-back"}, &out), 0) << out;
  EXPECT_EQ(TreeDigest(root), want);
}

TEST_P(Trash, RestoreLeavesEntriesWhoseNameIsTakenOrParentIsGone) {
  ASSERT_TRUE(fs::create_directories(*m_ / "keep/gone"));
  ASSERT_TRUE(WriteFile(*m_ / "keep/a", "old a"));
  ASSERT_TRUE(WriteFile(*m_ / "keep/gone/b", "b"));
  std::string out;
  ASSERT_EQ(RunSlicefs({"rmr", *m_ / "keep/a"}, &out), 0) << out;
  ASSERT_TRUE(WriteFile(*m_ / "keep/a", "new a"));  // the name is taken again
  ASSERT_EQ(RunSlicefs({"rmr", *m_ / "keep/gone/b"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"rmr", "--skip-trash", *m_ / "keep/gone"}, &out), 0) << out;  // its parent is gone
  auto entries = TrashEntries(*m_);
  ASSERT_EQ(entries.size(), 2u);
  ASSERT_EQ(RunSlicefs({"restore", m_->metaUrl(), HourOf(entries[0]), "--put-back"}, &out), 0) << out;
  EXPECT_EQ(ReadFile(*m_ / "keep/a"), "new a");
  EXPECT_NE(out.find("is taken"), std::string::npos) << out;
  EXPECT_NE(out.find("is gone"), std::string::npos) << out;
  EXPECT_EQ(TrashEntries(*m_).size(), 2u);
  // Bad hour: one line, non-zero.
  EXPECT_NE(RunSlicefs({"restore", m_->metaUrl(), "2020-13-01-00"}, &out), 0);
  EXPECT_NE(out.find("no trash hour"), std::string::npos) << out;
}

TEST_P(Trash, SkipTrashRemovesForGoodAndIsForRootOnly) {
  const std::string root = *m_ / "tmp";
  MakeTree(root, 2, 10);
  ASSERT_EQ(chmod(m_->path().c_str(), 0777), 0);
  std::string out;
  // A user's own tree: the user may rmr it, but not skip the trash.
  ASSERT_EQ(RunAs(kUser, kUser, {}, [&] {
              MakeTree(*m_ / "mine", 1, 3);
              return ::testing::Test::HasFailure() ? 1 : 0;
            }),
            0);
  EXPECT_NE(SlicefsAs(kUser, {"rmr", "--skip-trash", *m_ / "mine"}, &out), 0);
  EXPECT_NE(out.find("root only"), std::string::npos) << out;
  EXPECT_EQ(SlicefsAs(kUser, {"rmr", *m_ / "mine"}, &out), 0) << out;
  EXPECT_FALSE(fs::exists(*m_ / "mine"));
  const size_t trashed = TrashEntries(*m_).size();
  ASSERT_EQ(RunSlicefs({"rmr", "--skip-trash", root}, &out), 0) << out;
  EXPECT_FALSE(fs::exists(root));
  EXPECT_EQ(TrashEntries(*m_).size(), trashed);
}

TEST_P(Trash, RmrAsANonOwnerGetsEaccesLikeRm) {
  const std::string root = *m_ / "rootdir";
  MakeTree(root, 2, 5);
  ASSERT_EQ(chmod(root.c_str(), 0755), 0);
  ASSERT_EQ(chmod(m_->path().c_str(), 0777), 0);
  const auto want = TreeDigest(root);
  std::string out;
  // rm -rf as uid 1000 fails too (it cannot unlink inside a 0755 root dir).
  EXPECT_NE(RunAs(kUser, kUser, {}, [&] {
              std::error_code ec;
              fs::remove_all(root, ec);
              return ec ? 1 : 0;
            }),
            0);
  int rc = SlicefsAs(kUser, {"rmr", root}, &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
  // Through setpriv as well (a real non-root process, the brief's check).
  rc = RunCommand({"setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
                   std::string(SLICEFS_BINARY_DIR) + "/slicefs", "rmr", root},
                  &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_EQ(TreeDigest(root), want) << "nothing may be removed";
  EXPECT_TRUE(TrashEntries(*m_).empty());
  // A sticky world-writable directory: another user's entry is refused.
  ASSERT_TRUE(fs::create_directories(*m_ / "shared"));
  ASSERT_EQ(chmod((*m_ / "shared").c_str(), 01777), 0);
  ASSERT_EQ(RunAs(kOther, kOther, {}, [&] { return WriteFile(*m_ / "shared/theirs", "x") ? 0 : 1; }), 0);
  EXPECT_NE(SlicefsAs(kUser, {"rmr", *m_ / "shared/theirs"}, &out), 0);
  EXPECT_TRUE(fs::exists(*m_ / "shared/theirs"));
}

// rm -rf cannot remove an immutable file (EPERM) nor the directories holding
// it; rmr, which removes all or nothing, refuses the whole tree, in or out
// of the trash, as root too.
TEST_P(Trash, RmrRefusesATreeHoldingAnImmutableFile) {
  const std::string root = *m_ / "locked";
  MakeTree(root, 2, 3);
  ASSERT_TRUE(WriteFile(root + "/keep", "data"));
  int fd = open((root + "/keep").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int flags = FS_IMMUTABLE_FL;
  ASSERT_EQ(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0) << strerror(errno);
  const auto want = TreeDigest(root);
  std::string out;
  for (bool skip : {false, true}) {
    std::vector<std::string> args = {"rmr"};
    if (skip) args.push_back("--skip-trash");
    args.push_back(root);
    EXPECT_NE(RunSlicefs(args, &out), 0) << out;
    EXPECT_NE(out.find("keep"), std::string::npos) << out;
    EXPECT_EQ(TreeDigest(root), want) << "nothing may be removed";
  }
  EXPECT_TRUE(TrashEntries(*m_).empty());
  flags = 0;
  ASSERT_EQ(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0) << strerror(errno);
  close(fd);
  ASSERT_EQ(RunSlicefs({"rmr", root}, &out), 0) << out;
  EXPECT_FALSE(fs::exists(root));
}

TEST_P(Trash, BackgroundJobPurgesExpiredHours) {
  const std::string root = *m_ / "old";
  MakeTree(root, 3, 10);
  std::string out;
  ASSERT_EQ(RunSlicefs({"rmr", root}, &out), 0) << out;
  ASSERT_TRUE(WriteFile(*m_ / "gone-file", std::string(100000, 'g')));
  ASSERT_EQ(unlink((*m_ / "gone-file").c_str()), 0);
  ASSERT_EQ(TrashEntries(*m_).size(), 2u);
  const size_t objects = ChunkObjects(*m_);
  ASSERT_GT(objects, 0u);
  // A second client whose clock is two days ahead, purging every second:
  // to it this hour is past the one-day trash.
  auto late = SecondMount({{"SLICEFS_TRASH_NOW_OFFSET_SEC", std::to_string(2 * 86400)},
                           {"SLICEFS_TRASH_PURGE_EVERY_SEC", "1"}});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!TrashEntries(*m_).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(TrashEntries(*m_).empty());
  std::error_code ec;
  EXPECT_EQ(std::distance(fs::directory_iterator(*m_ / ".trash", ec), fs::directory_iterator()), 0)
      << "the hour directory itself goes too";
  // And the data: the files' objects are deleted from the bucket.
  while (ChunkObjects(*m_) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(ChunkObjects(*m_), 0u) << "of " << objects;
}

INSTANTIATE_TEST_SUITE_P(Engines, Trash, ::testing::Values("sqlite3", "redis"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
