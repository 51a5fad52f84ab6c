// clone: copy-on-write copies that share objects, not content changes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tree/tree_util.h"

namespace slicefs::testing {
namespace {
namespace fs = std::filesystem;

class Clone : public TreeTest {};

bool Overwrite(const std::string& path, off_t off, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  bool ok = pwrite(fd, data.data(), data.size(), off) == ssize_t(data.size());
  return close(fd) == 0 && ok;
}

TEST_P(Clone, FileAndTreeAreEqualAndIndependent) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); i++) big[i] = char(i * 7 + i / 4096);
  ASSERT_TRUE(WriteFile(*m_ / "big", big));
  MakeTree(*m_ / "tree", 4, 8);
  const size_t objectsBefore = ChunkObjects(*m_);
  std::string out;
  ASSERT_EQ(RunSlicefs({"clone", *m_ / "big", *m_ / "big2"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"clone", *m_ / "tree", *m_ / "tree2"}, &out), 0) << out;
  EXPECT_EQ(FileDigest(*m_ / "big2"), FileDigest(*m_ / "big"));
  EXPECT_EQ(TreeDigest(*m_ / "tree2"), TreeDigest(*m_ / "tree"));
  EXPECT_EQ(ChunkObjects(*m_), objectsBefore) << "a clone copies no data";
  // Writes to the clone do not show in the source, and the other way round.
  ASSERT_TRUE(Overwrite(*m_ / "big2", 1000, "CLONE"));
  EXPECT_EQ(ReadFile(*m_ / "big"), big);
  ASSERT_TRUE(Overwrite(*m_ / "tree/d1/f3", 0, "SOURCE"));
  EXPECT_NE(ReadFile(*m_ / "tree2/d1/f3").substr(0, 6), "SOURCE");
  std::string edited = big;
  edited.replace(1000, 5, "CLONE");
  EXPECT_EQ(ReadFile(*m_ / "big2"), edited);
  // Existing target, a path into itself, and outside the mount: refused.
  EXPECT_NE(RunSlicefs({"clone", *m_ / "big", *m_ / "big2"}, &out), 0);
  EXPECT_NE(out.find("exists"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"clone", *m_ / "tree", *m_ / "tree/d0/inner"}, &out), 0);
  EXPECT_FALSE(fs::exists(*m_ / "tree/d0/inner"));
  EXPECT_NE(RunSlicefs({"clone", *m_ / "big", "/tmp/slicefs-clone-out"}, &out), 0);
}

TEST_P(Clone, DeletingTheSourceKeepsTheCloneAndItsObjects) {
  // trash-days 1: delete for good with rmr --skip-trash.
  std::string data(5 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 997) data[i] = char(i);
  ASSERT_TRUE(WriteFile(*m_ / "src", data));
  std::string out;
  ASSERT_EQ(RunSlicefs({"clone", *m_ / "src", *m_ / "copy"}, &out), 0) << out;
  const size_t objects = ChunkObjects(*m_);
  ASSERT_GT(objects, 0u);
  ASSERT_EQ(RunSlicefs({"rmr", "--skip-trash", *m_ / "src"}, &out), 0) << out;
  // Give the deletion worker time to act on the source's slices.
  std::this_thread::sleep_for(std::chrono::seconds(12));
  EXPECT_EQ(ChunkObjects(*m_), objects) << "the clone's objects must stay";
  // gc, with a window short enough to judge every object, finds none leaked
  // and all of them live.
  ASSERT_EQ(RunSlicefs({"gc", m_->metaUrl(), "--safety-window", "1"}, &out), 0) << out;
  EXPECT_NE(out.find("leaked:            0 objects"), std::string::npos) << out;
  EXPECT_NE(out.find("live:              " + std::to_string(objects) + " objects"), std::string::npos) << out;
  // Read through a fresh mount so no cache helps.
  auto other = SecondMount({});
  EXPECT_EQ(ReadFile(*other / "copy"), data);
  ASSERT_EQ(RunSlicefs({"rmr", "--skip-trash", *m_ / "copy"}, &out), 0) << out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ChunkObjects(*m_) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(ChunkObjects(*m_), 0u) << "with the last reference gone the objects go";
}

TEST_P(Clone, PermissionsAreThoseOfCp) {
  ASSERT_EQ(chmod(m_->path().c_str(), 0777), 0);
  ASSERT_TRUE(WriteFile(*m_ / "secret", "s"));
  ASSERT_EQ(chmod((*m_ / "secret").c_str(), 0600), 0);
  ASSERT_TRUE(WriteFile(*m_ / "public", "p"));
  ASSERT_EQ(chmod((*m_ / "public").c_str(), 0640), 0);
  ASSERT_EQ(chmod((*m_ / "public").c_str(), 0644), 0);
  std::string out;
  EXPECT_NE(SlicefsAs(kUser, {"clone", *m_ / "secret", *m_ / "stolen"}, &out), 0);
  EXPECT_NE(out.find("ermission denied"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(*m_ / "stolen"));
  ASSERT_EQ(SlicefsAs(kUser, {"clone", *m_ / "public", *m_ / "mine"}, &out), 0) << out;
  struct stat st;
  ASSERT_EQ(stat((*m_ / "mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUser) << "the copy belongs to the caller";
  EXPECT_EQ(ReadFile(*m_ / "mine"), "p");
  // --preserve as root keeps owner, mode and mtime.
  ASSERT_EQ(chown((*m_ / "public").c_str(), kOther, kOther), 0);
  struct timespec ts[2] = {{1000000, 0}, {2000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (*m_ / "public").c_str(), ts, 0), 0);
  ASSERT_EQ(RunSlicefs({"clone", "--preserve", *m_ / "public", *m_ / "kept"}, &out), 0) << out;
  ASSERT_EQ(stat((*m_ / "kept").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kOther);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_mtime, 2000000);
}

INSTANTIATE_TEST_SUITE_P(Engines, Clone, ::testing::Values("sqlite3", "redis"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
