// open(2) flags through the mount, with their errnos.
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class OpenTest : public MountedTest {};

TEST_F(OpenTest, CreateExclusive) {
  std::string f = P("f");
  int fd = open(f.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0640);
  ASSERT_OK(fd);
  close(fd);
  EXPECT_ERRNO(open(f.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST);
  // O_CREAT without O_EXCL opens the existing file.
  fd = open(f.c_str(), O_CREAT | O_WRONLY, 0600);
  EXPECT_OK(fd);
  close(fd);
  struct stat st = Stat(f);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0640u & ~0022u & 0777u);
  EXPECT_ERRNO(open(dir_.c_str(), O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
}

TEST_F(OpenTest, MissingAndBadPaths) {
  EXPECT_ERRNO(open(P("nope").c_str(), O_RDONLY), ENOENT);
  EXPECT_ERRNO(open(P("nodir/f").c_str(), O_CREAT | O_WRONLY, 0644), ENOENT);
  ASSERT_TRUE(WriteFile(P("file"), "x"));
  EXPECT_ERRNO(open(P("file/sub").c_str(), O_CREAT | O_WRONLY, 0644), ENOTDIR);
  EXPECT_ERRNO(open(P(std::string(256, 'a')).c_str(), O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
  int fd = open(P(std::string(255, 'a')).c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_OK(fd);
  close(fd);
}

TEST_F(OpenTest, Truncate) {
  ASSERT_TRUE(WriteFile(P("t"), "hello world"));
  int fd = open(P("t").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_OK(fd);
  EXPECT_EQ(Stat(P("t")).st_size, 0);
  ASSERT_EQ(write(fd, "ab", 2), 2);
  close(fd);
  EXPECT_EQ(ReadFile(P("t")), "ab");
  // O_TRUNC with O_CREAT on an existing file.
  fd = open(P("t").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_OK(fd);
  close(fd);
  EXPECT_EQ(ReadFile(P("t")), "");
}

TEST_F(OpenTest, Append) {
  ASSERT_TRUE(WriteFile(P("a"), "12345"));
  int fd = open(P("a").c_str(), O_WRONLY | O_APPEND);
  ASSERT_OK(fd);
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  ASSERT_EQ(write(fd, "ab", 2), 2);
  // pwrite on O_APPEND appends too on Linux.
  ASSERT_EQ(pwrite(fd, "cd", 2, 0), 2);
  close(fd);
  EXPECT_EQ(ReadFile(P("a")), "12345abcd");
  // Two appenders interleave without overwriting each other.
  int a = open(P("a").c_str(), O_WRONLY | O_APPEND);
  int b = open(P("a").c_str(), O_WRONLY | O_APPEND);
  ASSERT_OK(a);
  ASSERT_OK(b);
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(write(a, "A", 1), 1);
    ASSERT_EQ(write(b, "B", 1), 1);
  }
  close(a);
  close(b);
  EXPECT_EQ(ReadFile(P("a")), "12345abcd" + std::string("ABABABABABABABABABAB"));
}

TEST_F(OpenTest, DirectoryAndNoFollow) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  ASSERT_OK(mkdir(P("d").c_str(), 0755));
  ASSERT_OK(symlink("f", P("l").c_str()));
  EXPECT_ERRNO(open(P("f").c_str(), O_RDONLY | O_DIRECTORY), ENOTDIR);
  int fd = open(P("d").c_str(), O_RDONLY | O_DIRECTORY);
  EXPECT_OK(fd);
  close(fd);
  EXPECT_ERRNO(open(P("d").c_str(), O_WRONLY), EISDIR);
  EXPECT_ERRNO(open(P("d").c_str(), O_RDWR), EISDIR);
  EXPECT_ERRNO(open(P("l").c_str(), O_RDONLY | O_NOFOLLOW), ELOOP);
  fd = open(P("l").c_str(), O_RDONLY);
  EXPECT_OK(fd);
  close(fd);
  // O_PATH|O_NOFOLLOW opens the link itself.
  fd = open(P("l").c_str(), O_PATH | O_NOFOLLOW);
  EXPECT_OK(fd);
  close(fd);
  // O_CREAT through a dangling symlink creates its target.
  ASSERT_OK(symlink("target", P("dangling").c_str()));
  fd = open(P("dangling").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_OK(fd);
  close(fd);
  EXPECT_TRUE(S_ISREG(Stat(P("target")).st_mode));
  EXPECT_ERRNO(open(P("l").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
}

TEST_F(OpenTest, AccessModes) {
  ASSERT_TRUE(WriteFile(P("m"), "data"));
  int fd = open(P("m").c_str(), O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_ERRNO(write(fd, "x", 1), EBADF);
  close(fd);
  fd = open(P("m").c_str(), O_WRONLY);
  ASSERT_OK(fd);
  char c;
  EXPECT_ERRNO(read(fd, &c, 1), EBADF);
  close(fd);
  // Permission bits bind an unprivileged user.
  ASSERT_OK(chmod(P("m").c_str(), 0600));
  std::string path = P("m");
  int rc = RunAs(65534, 65534, {}, [&] {
    int f = open(path.c_str(), O_RDONLY);
    return f < 0 ? errno : 0;
  });
  EXPECT_EQ(rc, EACCES);
  ASSERT_OK(chmod(P("m").c_str(), 0604));
  rc = RunAs(65534, 65534, {}, [&] {
    int f = open(path.c_str(), O_RDONLY);
    if (f < 0) return errno;
    f = open(path.c_str(), O_WRONLY);
    return f < 0 ? 100 + errno : 0;
  });
  EXPECT_EQ(rc, 100 + EACCES);
}

}  // namespace
}  // namespace slicefs::testing
