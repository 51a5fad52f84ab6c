// A block object whose size disagrees with its key (what a machine crash
// can leave of an object the `file` store had not fsynced yet) reads as
// EIO through the mount, and fsck reports it.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

// Every block object file of a `file` bucket.
std::vector<std::string> BlockFiles(const TestMount& m) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(m.bucket() + "/testvol/chunks", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(it->path().string());
  }
  return out;
}

TEST(ObjectSize, ShortOrEmptyBlockReadsAsEioAndFsckReportsIt) {
  REQUIRE_FUSE();
  for (uint64_t keep : {uint64_t{0}, uint64_t{50000}}) {
    TestMount m;
    ASSERT_TRUE(m.Mount().ok());
    ASSERT_TRUE(WriteFile(m / "f", Pattern(100000, 7)));
    ASSERT_TRUE(m.Unmount().ok());
    auto blocks = BlockFiles(m);
    ASSERT_EQ(blocks.size(), 1u);
    ASSERT_EQ(::truncate(blocks[0].c_str(), static_cast<off_t>(keep)), 0);
    ASSERT_TRUE(m.Mount().ok());
    int fd = open((m / "f").c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    std::string buf(100000, '\0');
    errno = 0;
    ssize_t n = read(fd, buf.data(), buf.size());
    const int err = errno;
    close(fd);
    EXPECT_EQ(n, -1) << "keep " << keep;
    EXPECT_EQ(err, EIO) << "keep " << keep;
    ASSERT_TRUE(m.Unmount().ok());
    std::string out;
    EXPECT_EQ(RunSlicefs({"fsck", m.metaUrl()}, &out), 1) << out;
    EXPECT_NE(out.find("has " + std::to_string(keep) + " bytes, its key says 100000"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace slicefs::testing
