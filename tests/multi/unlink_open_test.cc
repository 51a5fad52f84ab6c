// A file unlinked on one mount while another mount has it open stays
// readable there until that mount closes it; then its objects are freed.
#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiUnlinkOpen : public MultiMountTest {};

constexpr auto kFreed = 20s;  // deletion runs when kicked, or every 10 s

TEST_P(MultiUnlinkOpen, UnlinkedOnOneMountStaysReadableWhereOpen) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  // Calibration: a file open nowhere loses its objects soon after unlink
  // (so the object count below can see a deletion).
  ASSERT_TRUE(WriteFile(*a / "plain", Pattern((2u << 20) + 10, 1)));
  const int plainObjects = CountChunkObjects(*a);
  ASSERT_EQ(plainObjects, 3) << "1 MiB blocks: 2 full and 1 short, under " << a->bucket();
  ASSERT_EQ(unlink((*a / "plain").c_str()), 0);
  ASSERT_TRUE(WaitFor([&] { return CountChunkObjects(*a) == 0; }, kFreed)) << "objects of an unlinked file not freed";

  const std::string data = Pattern((3u << 20) + 4321, 2);  // 4 objects
  ASSERT_TRUE(WriteFile(*a / "f", data));
  ASSERT_EQ(CountChunkObjects(*a), 4);
  ASSERT_TRUE(WaitFor([&] { return Stat(*b / "f").st_size == static_cast<off_t>(data.size()); }, kCacheTimeout + 3s));
  ScopedFd file(open((*b / "f").c_str(), O_RDONLY));  // open on B, nothing read yet
  const int fd = file.get();
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(unlink((*a / "f").c_str()), 0);
  EXPECT_TRUE(WaitFor([&] { return Stat(*b / "f").st_ino == 0; }, kCacheTimeout + 3s)) << "name still on B";
  // Give a wrong implementation time to delete the data (A's deletion
  // worker is woken by the unlink).
  EXPECT_FALSE(WaitFor([&] { return CountChunkObjects(*a) < 4; }, 1500ms))
      << "objects deleted while the file is open on B";
  struct stat st = {};
  EXPECT_EQ(fstat(fd, &st), 0) << std::strerror(errno);
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  std::string got(data.size(), '\0');
  ssize_t n = pread(fd, got.data(), got.size(), 0);
  EXPECT_EQ(n, static_cast<ssize_t>(data.size())) << (n < 0 ? std::strerror(errno) : "short read");
  EXPECT_TRUE(got == data) << "B read other bytes than A wrote from the unlinked file";
  // A second read from the middle, after another pause.
  std::this_thread::sleep_for(500ms);
  std::string mid(100000, '\0');
  EXPECT_EQ(pread(fd, mid.data(), mid.size(), 1500000), 100000);
  EXPECT_TRUE(mid == data.substr(1500000, 100000));
  EXPECT_EQ(CountChunkObjects(*a), 4);
  ASSERT_EQ(file.Close(), 0) << std::strerror(errno);
  // The last close anywhere frees the data.
  EXPECT_TRUE(WaitFor([&] { return CountChunkObjects(*a) == 0; }, kFreed))
      << CountChunkObjects(*a) << " objects left after the last close";
}

INSTANTIATE_MULTI_SUITE(MultiUnlinkOpen);

}  // namespace
}  // namespace slicefs::testing
