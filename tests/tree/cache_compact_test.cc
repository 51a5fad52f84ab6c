// warmup (load / check / evict the mount's cache) and compact.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree/tree_util.h"

namespace slicefs::testing {
namespace {

class CacheCompact : public TreeTest {};

TEST_P(CacheCompact, WarmupCheckReportsFullAfterWarmupAndEmptyAfterEvict) {
  std::string data(6 << 20, 'w');
  ASSERT_TRUE(WriteFile(*m_ / "f1", data));
  ASSERT_EQ(mkdir((*m_ / "dir").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(*m_ / "dir/f2", data));
  std::string out;
  ASSERT_EQ(RunSlicefs({"warmup", "--evict", *m_ / "f1", *m_ / "dir"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--check", *m_ / "f1", *m_ / "dir"}, &out), 0) << out;
  EXPECT_NE(out.find("total: 0 B of 12 MiB cached (0.0%)"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--threads", "4", *m_ / "f1", *m_ / "dir"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--check", *m_ / "f1", *m_ / "dir"}, &out), 0) << out;
  EXPECT_NE(out.find("(100.0%)"), std::string::npos) << out;
  EXPECT_NE(out.find("total: 12 MiB of 12 MiB cached (100.0%)"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--evict", *m_ / "f1"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--check", *m_ / "f1", *m_ / "dir"}, &out), 0) << out;
  EXPECT_NE(out.find("f1: 1 files, 0 B of 6 MiB cached (0.0%)"), std::string::npos) << out;
  EXPECT_NE(out.find("total: 6 MiB of 12 MiB cached (50.0%)"), std::string::npos) << out;
  // --file LIST and bad flags.
  ASSERT_TRUE(WriteFile(m_->dir() + "/list", *m_ / "f1" + "\n"));
  ASSERT_EQ(RunSlicefs({"warmup", "--file", m_->dir() + "/list"}, &out), 0) << out;
  ASSERT_EQ(RunSlicefs({"warmup", "--check", "--file", m_->dir() + "/list"}, &out), 0) << out;
  EXPECT_NE(out.find("total: 6 MiB of 6 MiB cached (100.0%)"), std::string::npos) << out;
  EXPECT_NE(RunSlicefs({"warmup", "--check", "--evict", *m_ / "f1"}, &out), 0);
}

TEST_P(CacheCompact, CompactMergesSlicesAndKeepsTheContent) {
  // 20 appends, each closed (committed): 20 slices in one chunk, below
  // the background compaction threshold (32), so the command does it.
  std::string want;
  for (int i = 0; i < 20; i++) {
    std::string piece = "piece " + std::to_string(i) + std::string(5000, char('a' + i)) + "\n";
    int fd = open((*m_ / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, piece.data(), piece.size()), ssize_t(piece.size()));
    ASSERT_EQ(close(fd), 0);
    want += piece;
  }
  std::string out;
  ASSERT_EQ(RunSlicefs({"compact", *m_ / "log"}, &out), 0) << out;
  EXPECT_NE(out.find("1 chunks compacted, 19 slices removed"), std::string::npos) << out;
  EXPECT_EQ(ReadFile(*m_ / "log"), want);
  ASSERT_EQ(RunSlicefs({"compact", m_->path()}, &out), 0) << out;
  EXPECT_NE(out.find("0 chunks compacted"), std::string::npos) << out;
  EXPECT_EQ(ReadFile(*m_ / "log"), want);
}

INSTANTIATE_TEST_SUITE_P(Engines, CacheCompact, ::testing::Values("sqlite3", "redis"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
