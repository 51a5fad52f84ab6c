// `slicefs bench` on a real mount: every row is printed with a figure, the
// files are gone afterwards, bad flags and paths fail with one line.
#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

TEST(BenchCommand, RunsOnAMountAndCleansUp) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  std::string out;
  ASSERT_EQ(RunSlicefs({"bench", m.path(), "-p", "2", "--big-file-size", "8M", "--small-file-size", "16K",
                        "--small-file-count", "20"},
                       &out),
            0)
      << out;
  for (const char* row : {"Write big file", "Read big file", "Write small file", "Read small file", "Stat file"}) {
    auto pos = out.find(row);
    ASSERT_NE(pos, std::string::npos) << row << "\n" << out;
    const std::string line = out.substr(pos, out.find('\n', pos) - pos);
    EXPECT_NE(line.find_first_of("123456789"), std::string::npos) << line;  // a non-zero figure
  }
  EXPECT_NE(out.find("2 worker(s)"), std::string::npos) << out;
  // Nothing left behind.
  auto names = DirNames(m.path());
  std::erase(names, ".trash");
  EXPECT_TRUE(names.empty()) << names.size() << " entries left, e.g. " << names[0];

  EXPECT_EQ(RunSlicefs({"bench", m / "missing"}, &out), 1);
  EXPECT_NE(out.find("is not a directory"), std::string::npos) << out;
  EXPECT_EQ(RunSlicefs({"bench", m.path(), "--big-file-size", "lots"}, &out), 1);
  EXPECT_NE(out.find("--big-file-size"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  ASSERT_OK(m.Unmount());
}

}  // namespace
}  // namespace slicefs::testing
