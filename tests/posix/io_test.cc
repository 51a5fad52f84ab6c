// read/write/pread/pwrite, truncate/ftruncate, fallocate, copy_file_range,
// mmap, and unlink while open, through the mount.
#include <linux/falloc.h>
#include <sys/mman.h>

#include <thread>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class IoTest : public MountedTest {};

std::string PRead(int fd, size_t n, off_t off) {
  std::string s(n, '\0');
  ssize_t r = pread(fd, s.data(), n, off);
  s.resize(r < 0 ? 0 : r);
  return s;
}

TEST_F(IoTest, ReadWritePreadPwrite) {
  int fd = open(P("rw").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_OK(fd);
  ASSERT_EQ(write(fd, "hello", 5), 5);
  ASSERT_EQ(pwrite(fd, "J", 1, 0), 1);
  ASSERT_EQ(pwrite(fd, "xyz", 3, 10), 3);  // leaves a hole
  EXPECT_EQ(PRead(fd, 100, 0), std::string("Jello") + std::string(5, '\0') + "xyz");
  EXPECT_EQ(PRead(fd, 10, 13), "");       // at EOF
  EXPECT_EQ(PRead(fd, 10, 100), "");      // past EOF
  struct stat st;
  ASSERT_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 13);
  ASSERT_EQ(lseek(fd, 2, SEEK_SET), 2);
  char buf[4] = {};
  ASSERT_EQ(read(fd, buf, 3), 3);
  EXPECT_EQ(std::string(buf, 3), "llo");
  EXPECT_ERRNO(pwrite(fd, "a", 1, -1), EINVAL);
  close(fd);
  EXPECT_EQ(Stat(P("rw")).st_size, 13);
  int d = open(dir_.c_str(), O_RDONLY);
  EXPECT_ERRNO(read(d, buf, 1), EISDIR);
  close(d);
  EXPECT_ERRNO(write(9999, "x", 1), EBADF);
}

TEST_F(IoTest, LargeRandomWritesMatchModel) {
  // 9 MiB with overlapping writes of many sizes, crossing block boundaries.
  std::string model(9 << 20, '\0');
  int fd = open(P("big").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_OK(fd);
  uint64_t seed = TestSeed("IoTest.LargeRandomWritesMatchModel");
  std::mt19937_64 rng(seed);
  size_t len = 0;
  for (int i = 0; i < 200; i++) {
    size_t off = rng() % (model.size() - 1);
    size_t n = std::min<size_t>(1 + rng() % (i % 10 == 0 ? (2 << 20) : 70000), model.size() - off);
    std::string data = Pattern(n, static_cast<uint32_t>(rng()));
    ASSERT_EQ(pwrite(fd, data.data(), n, off), static_cast<ssize_t>(n));
    model.replace(off, n, data);
    len = std::max(len, off + n);
    if (i % 50 == 49) {
      ASSERT_OK(fsync(fd));
    }
    if (i % 20 == 0) {
      size_t roff = rng() % len;
      size_t rn = 1 + rng() % 300000;
      ASSERT_EQ(PRead(fd, rn, roff), model.substr(roff, std::min(rn, len - roff))) << "i=" << i;
    }
  }
  close(fd);
  model.resize(len);
  EXPECT_TRUE(ReadFile(P("big")) == model) << "content differs after close";
}

TEST_F(IoTest, TruncateAndFtruncate) {
  ASSERT_TRUE(WriteFile(P("t"), Pattern(100000, 1)));
  ASSERT_OK(truncate(P("t").c_str(), 10));
  EXPECT_EQ(ReadFile(P("t")), Pattern(100000, 1).substr(0, 10));
  ASSERT_OK(truncate(P("t").c_str(), 20));
  EXPECT_EQ(ReadFile(P("t")), Pattern(100000, 1).substr(0, 10) + std::string(10, '\0'));
  int fd = open(P("t").c_str(), O_RDWR);
  ASSERT_OK(fd);
  ASSERT_EQ(pwrite(fd, "zz", 2, 30), 2);  // buffered, then truncated below it
  ASSERT_OK(ftruncate(fd, 5));
  EXPECT_EQ(PRead(fd, 100, 0), Pattern(100000, 1).substr(0, 5));
  ASSERT_OK(ftruncate(fd, 7));
  EXPECT_EQ(PRead(fd, 100, 0), Pattern(100000, 1).substr(0, 5) + std::string(2, '\0'));
  EXPECT_ERRNO(ftruncate(fd, -1), EINVAL);
  close(fd);
  fd = open(P("t").c_str(), O_RDONLY);
  EXPECT_ERRNO(ftruncate(fd, 0), EINVAL);  // not open for writing
  close(fd);
  EXPECT_ERRNO(truncate(dir_.c_str(), 0), EISDIR);
  EXPECT_ERRNO(truncate(P("missing").c_str(), 0), ENOENT);
  // Unprivileged truncate needs write permission.
  std::string path = P("t");
  ASSERT_OK(chmod(path.c_str(), 0644));
  EXPECT_EQ(RunAs(65534, 65534, {}, [&] { return truncate(path.c_str(), 0) == 0 ? 0 : errno; }), EACCES);
  // Shrink then grow across a block boundary reads zeros in between.
  ASSERT_TRUE(WriteFile(P("g"), Pattern(5 << 20, 2)));
  ASSERT_OK(truncate(P("g").c_str(), 1000));
  ASSERT_OK(truncate(P("g").c_str(), 5 << 20));
  EXPECT_TRUE(ReadFile(P("g")) == Pattern(1000, 2) + std::string((5 << 20) - 1000, '\0'));
}

TEST_F(IoTest, Fallocate) {
  int fd = open(P("fa").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(fallocate(fd, 0, 0, 1 << 20));
  EXPECT_EQ(Stat(P("fa")).st_size, 1 << 20);
  ASSERT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 2 << 20));
  EXPECT_EQ(Stat(P("fa")).st_size, 1 << 20);
  std::string data = Pattern(300000, 3);
  ASSERT_EQ(pwrite(fd, data.data(), data.size(), 0), (ssize_t)data.size());
  ASSERT_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 5000));
  std::string want = data;
  std::fill(want.begin() + 1000, want.begin() + 6000, '\0');
  EXPECT_TRUE(PRead(fd, 300000, 0) == want);
  // The kernel's FUSE client may not forward ZERO_RANGE; if it does, it zeroes.
  if (fallocate(fd, FALLOC_FL_ZERO_RANGE, 10000, 100) == 0) {
    std::fill(want.begin() + 10000, want.begin() + 10100, '\0');
  } else {
    EXPECT_EQ(errno, EOPNOTSUPP);
  }
  EXPECT_TRUE(PRead(fd, 300000, 0) == want);
  EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);  // needs KEEP_SIZE
  EXPECT_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
  close(fd);
  EXPECT_TRUE(ReadFile(P("fa")).substr(0, 300000) == want);
  fd = open(P("fa").c_str(), O_RDONLY);
  EXPECT_ERRNO(fallocate(fd, 0, 0, 10), EBADF);
  close(fd);
}

TEST_F(IoTest, CopyFileRange) {
  std::string src = Pattern(3 << 20, 4);
  ASSERT_TRUE(WriteFile(P("src"), src));
  int in = open(P("src").c_str(), O_RDONLY);
  int out = open(P("dst").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_OK(in);
  ASSERT_OK(out);
  ASSERT_EQ(pwrite(out, "head", 4, 0), 4);
  loff_t offIn = 1000, offOut = 4;
  size_t total = 0;
  while (total < 2000000) {
    ssize_t n = copy_file_range(in, &offIn, out, &offOut, 2000000 - total, 0);
    ASSERT_GT(n, 0) << std::strerror(errno);
    total += n;
  }
  close(in);
  close(out);
  EXPECT_TRUE(ReadFile(P("dst")) == "head" + src.substr(1000, 2000000));
  // The source is unchanged.
  EXPECT_TRUE(ReadFile(P("src")) == src);
}

TEST_F(IoTest, MmapReadWrite) {
  std::string data = Pattern(200000, 5);
  ASSERT_TRUE(WriteFile(P("mm"), data));
  int fd = open(P("mm").c_str(), O_RDWR);
  ASSERT_OK(fd);
  void* p = mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  char* c = static_cast<char*>(p);
  EXPECT_TRUE(std::string(c, data.size()) == data);
  std::memcpy(c + 4096 * 3 + 7, "MMAPWRITE", 9);
  data.replace(4096 * 3 + 7, 9, "MMAPWRITE");
  ASSERT_OK(msync(p, data.size(), MS_SYNC));
  munmap(p, data.size());
  close(fd);
  EXPECT_TRUE(ReadFile(P("mm")) == data);
  // A private mapping does not change the file.
  fd = open(P("mm").c_str(), O_RDONLY);
  p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  static_cast<char*>(p)[0] = '#';
  munmap(p, 4096);
  close(fd);
  EXPECT_EQ(ReadFile(P("mm"))[0], data[0]);
}

TEST_F(IoTest, UnlinkWhileOpen) {
  std::string data = Pattern(500000, 6);
  ASSERT_TRUE(WriteFile(P("u"), data));
  int fd = open(P("u").c_str(), O_RDWR);
  ASSERT_OK(fd);
  ASSERT_OK(unlink(P("u").c_str()));
  EXPECT_ERRNO(access(P("u").c_str(), F_OK), ENOENT);
  EXPECT_TRUE(PRead(fd, data.size(), 0) == data);
  ASSERT_EQ(pwrite(fd, "tail", 4, data.size()), 4);
  ASSERT_OK(fsync(fd));
  EXPECT_TRUE(PRead(fd, data.size() + 4, 0) == data + "tail");
  struct stat st;
  ASSERT_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(st.st_size, (off_t)data.size() + 4);
  close(fd);
  // The name can be reused at once.
  ASSERT_TRUE(WriteFile(P("u"), "new"));
  EXPECT_EQ(ReadFile(P("u")), "new");
}

TEST_F(IoTest, ConcurrentWritersToDistinctFiles) {
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10; i++) {
        WriteFile(P("c" + std::to_string(t) + "_" + std::to_string(i)), Pattern(70000 + i, t * 100 + i));
      }
    });
  }
  for (auto& t : ts) t.join();
  for (int t = 0; t < 4; t++) {
    for (int i = 0; i < 10; i++) {
      EXPECT_TRUE(ReadFile(P("c" + std::to_string(t) + "_" + std::to_string(i))) ==
                  Pattern(70000 + i, t * 100 + i));
    }
  }
}

}  // namespace
}  // namespace slicefs::testing
