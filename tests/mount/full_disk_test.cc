// A volume whose bucket directory fills up: the application gets ENOSPC
// (not a generic EIO) from write or close, files closed before stay intact,
// the mount survives, and once space is freed writes succeed again.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

// A tmpfs of `mib` MiB mounted at dir for the test's lifetime.
struct Tmpfs {
  std::string dir;
  bool mounted = false;
  Tmpfs(const std::string& d, int mib) : dir(d) {
    ::mkdir(dir.c_str(), 0755);
    std::string opts = "size=" + std::to_string(mib) + "m";
    mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
  }
  uint64_t FreeBytes() const {
    struct statvfs vs;
    return ::statvfs(dir.c_str(), &vs) == 0 ? static_cast<uint64_t>(vs.f_bavail) * vs.f_frsize : 0;
  }
};

// Writes n bytes of data in 1 MiB writes and closes: 0 or the first errno.
int WriteBig(const std::string& path, size_t n) {
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return errno;
  const std::string piece = Pattern(1 << 20, 5);
  int err = 0;
  for (size_t done = 0; done < n && err == 0; done += piece.size()) {
    if (::write(fd, piece.data(), piece.size()) < 0) err = errno;
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

TEST(MountFullDisk, BucketFullGivesEnospcAndLosesNothing) {
  REQUIRE_FUSE();
  TempDir tmp("slicefs-full");
  Tmpfs bucket(tmp.path() + "/bucket", 24);
  if (!bucket.mounted) {
    SKIP_OR_FAIL(std::string("cannot mount a tmpfs for the bucket: ") + std::strerror(errno));
  }
  VolumeSpec spec;
  spec.bucket = bucket.dir;
  TestMount m(spec);
  ASSERT_TRUE(m.Mount().ok());
  const std::string keep = Pattern(1 << 20, 11);
  ASSERT_TRUE(WriteFile(m / "keep", keep));

  const int err = WriteBig(m / "big", 64u << 20);
  EXPECT_EQ(err, ENOSPC) << "writing 64 MiB into a 24 MiB bucket gave: " << std::strerror(err);
  ASSERT_TRUE(IsMounted(m.path())) << "the mount died when its bucket filled up";
  EXPECT_EQ(ReadFile(m / "keep"), keep) << "a file closed before the disk filled changed";

  // Freeing the space (trash off: objects go within seconds) lets writes work again.
  ASSERT_EQ(::unlink((m / "big").c_str()), 0) << std::strerror(errno);
  bool freed = false;
  for (int i = 0; i < 150 && !freed; i++) {
    freed = bucket.FreeBytes() > (16u << 20);
    if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(freed) << "objects of the unlinked file were not deleted: " << bucket.FreeBytes() << " bytes free";
  const std::string after = Pattern(6 << 20, 12);
  ASSERT_TRUE(WriteFile(m / "after", after)) << std::strerror(errno);
  EXPECT_EQ(ReadFile(m / "after"), after);
  EXPECT_EQ(ReadFile(m / "keep"), keep);
  ASSERT_TRUE(m.Unmount().ok());
}

}  // namespace
}  // namespace slicefs::testing
