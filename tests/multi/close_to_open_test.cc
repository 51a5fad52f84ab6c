// Close-to-open across mounts: what one mount wrote and closed, another
// mount reads byte-exactly on its next open, even when it had the old
// content cached; and a read-only mount of the live volume.
#include <sys/time.h>
#include <sys/xattr.h>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiCloseToOpen : public MultiMountTest {};

// pwrite `data` at `off` into an existing file and close it.
bool PatchFile(const std::string& path, off_t off, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  bool ok = pwrite(fd, data.data(), data.size(), off) == static_cast<ssize_t>(data.size());
  return close(fd) == 0 && ok;
}

TEST_P(MultiCloseToOpen, ClosedOnOneMountReadExactlyOnAnother) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_TRUE(WriteFile(*a / "f", "version one"));
  EXPECT_EQ(ReadFile(*b / "f"), "version one");  // B now caches pages and attributes
  // Rewrites (O_TRUNC) of growing and shrinking sizes, across block (1 MiB)
  // boundaries: B's next open sees exactly the new bytes at once, without
  // waiting for its attribute cache to expire.
  const size_t sizes[] = {5000, (3u << 20) + 777, 100, (1u << 20) + 1};
  for (size_t round = 0; round < std::size(sizes); round++) {
    std::string v = Pattern(sizes[round], static_cast<uint32_t>(round + 1));
    ASSERT_TRUE(WriteFile(*a / "f", v));
    std::string got = ReadFile(*b / "f");
    EXPECT_TRUE(got == v) << "round " << round << ": B read " << got.size() << " bytes, want " << v.size();
    EXPECT_EQ(Stat(*b / "f").st_size, static_cast<off_t>(v.size())) << "round " << round;
  }
  // An in-place overwrite (same size, no truncate) of a file B has cached.
  std::string big = Pattern(3u << 20, 42);
  ASSERT_TRUE(WriteFile(*a / "g", big));
  ASSERT_TRUE(ReadFile(*b / "g") == big);
  std::string patch = Pattern(100000, 43);
  ASSERT_TRUE(PatchFile(*a / "g", (1u << 20) - 5000, patch));
  big.replace((1u << 20) - 5000, patch.size(), patch);
  EXPECT_TRUE(ReadFile(*b / "g") == big) << "B does not see A's in-place overwrite after reopening";
  // Truncation to a shorter length on A, with B's cache still holding more.
  ASSERT_EQ(truncate((*a / "g").c_str(), 12345), 0) << std::strerror(errno);
  EXPECT_TRUE(ReadFile(*b / "g") == big.substr(0, 12345)) << "B does not see A's truncate";
  EXPECT_EQ(Stat(*b / "g").st_size, 12345);
  // And the other way round: B writes, A (which wrote before) reads.
  std::string fromB = Pattern((2u << 20) + 3, 44);
  ASSERT_TRUE(WriteFile(*b / "f", fromB));
  EXPECT_TRUE(ReadFile(*a / "f") == fromB) << "A does not see B's write after reopening";
  // Unchanged file: both keep serving it correctly from their caches.
  EXPECT_TRUE(ReadFile(*b / "f") == ReadFile(*a / "f"));
}

TEST_P(MultiCloseToOpen, ReadOnlyMountSeesDataAndRejectsChanges) {
  MOUNT_OR_RETURN(a);
  ASSERT_TRUE(WriteFile(*a / "f", "ro data"));
  ASSERT_EQ(mkdir((*a / "d").c_str(), 0755), 0);
  MOUNT_OR_RETURN(ro, {"--read-only"});
  EXPECT_EQ(ReadFile(*ro / "f"), "ro data");
  // A keeps writing; the read-only mount follows (close-to-open).
  ASSERT_TRUE(WriteFile(*a / "f", "newer data"));
  EXPECT_EQ(ReadFile(*ro / "f"), "newer data");
  ASSERT_TRUE(WriteFile(*a / "d/new", "made on A"));
  EXPECT_TRUE(WaitFor([&] { return ReadFile(*ro / "d/new") == "made on A"; }, kCacheTimeout + 4s));
  // Every change through the read-only mount fails with EROFS.
  EXPECT_ERRNO(open((*ro / "g").c_str(), O_CREAT | O_WRONLY, 0644), EROFS);
  EXPECT_ERRNO(open((*ro / "f").c_str(), O_WRONLY), EROFS);
  EXPECT_ERRNO(open((*ro / "f").c_str(), O_RDWR | O_TRUNC), EROFS);
  EXPECT_ERRNO(mkdir((*ro / "e").c_str(), 0755), EROFS);
  EXPECT_ERRNO(unlink((*ro / "f").c_str()), EROFS);
  EXPECT_ERRNO(rmdir((*ro / "d").c_str()), EROFS);
  EXPECT_ERRNO(rename((*ro / "f").c_str(), (*ro / "f2").c_str()), EROFS);
  EXPECT_ERRNO(chmod((*ro / "f").c_str(), 0600), EROFS);
  EXPECT_ERRNO(chown((*ro / "f").c_str(), 1, 1), EROFS);
  EXPECT_ERRNO(truncate((*ro / "f").c_str(), 1), EROFS);
  struct timeval tv[2] = {{1, 0}, {2, 0}};
  EXPECT_ERRNO(utimes((*ro / "f").c_str(), tv), EROFS);
  EXPECT_ERRNO(symlink("f", (*ro / "s").c_str()), EROFS);
  EXPECT_ERRNO(link((*ro / "f").c_str(), (*ro / "h").c_str()), EROFS);
  EXPECT_ERRNO(setxattr((*ro / "f").c_str(), "user.k", "v", 1, 0), EROFS);
  // Nothing changed underneath.
  EXPECT_EQ(ReadFile(*a / "f"), "newer data");
  EXPECT_EQ(Stat(*a / "f").st_mode & 07777, 0644u);
  EXPECT_EQ(ListDir(*a / "d"), (std::set<std::string>{"new"}));
  for (const char* n : {"g", "e", "f2", "s", "h"}) EXPECT_EQ(Stat(*a / n).st_ino, 0u) << n << " was created";
}

INSTANTIATE_MULTI_SUITE(MultiCloseToOpen);

}  // namespace
}  // namespace slicefs::testing
