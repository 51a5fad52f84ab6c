// Names: rename variants, link/unlink/rmdir, symlinks (ELOOP), mkfifo and
// mknod, and readdir while the directory changes.
#include <dirent.h>
#include <sys/sysmacros.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class NamespaceTest : public MountedTest {};

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (auto* e = readdir(d)) names.insert(e->d_name);
  closedir(d);
  return names;
}

TEST_F(NamespaceTest, RenameFiles) {
  ASSERT_TRUE(WriteFile(P("a"), "A"));
  ASSERT_TRUE(WriteFile(P("b"), "B"));
  ino_t ia = Stat(P("a")).st_ino;
  ASSERT_OK(rename(P("a").c_str(), P("b").c_str()));  // replaces b
  EXPECT_EQ(ReadFile(P("b")), "A");
  EXPECT_EQ(Stat(P("b")).st_ino, ia);
  EXPECT_ERRNO(access(P("a").c_str(), F_OK), ENOENT);
  EXPECT_ERRNO(rename(P("a").c_str(), P("c").c_str()), ENOENT);
  ASSERT_OK(mkdir(P("d").c_str(), 0755));
  ASSERT_OK(rename(P("b").c_str(), P("d/b2").c_str()));  // across directories
  EXPECT_EQ(ReadFile(P("d/b2")), "A");
  ASSERT_OK(mkdir(P("d/sub").c_str(), 0755));
  EXPECT_ERRNO(rename(P("d/b2").c_str(), P("d/sub").c_str()), EISDIR);
  // Onto its own ancestor: the kernel says ENOTEMPTY.
  EXPECT_ERRNO(rename(P("d/b2").c_str(), P("d").c_str()), ENOTEMPTY);
  ASSERT_OK(rename(P("d/b2").c_str(), P("d/b2").c_str()));  // same name: no-op
  ASSERT_TRUE(WriteFile(P("h1"), "H"));
  ASSERT_OK(link(P("h1").c_str(), P("h2").c_str()));
  ASSERT_OK(rename(P("h1").c_str(), P("h2").c_str()));  // hard links of one inode: no-op
  EXPECT_EQ(List(dir_).count("h1"), 1u);
}

TEST_F(NamespaceTest, RenameDirectories) {
  ASSERT_OK(mkdir(P("x").c_str(), 0755));
  ASSERT_OK(mkdir(P("y").c_str(), 0755));
  ASSERT_TRUE(WriteFile(P("x/f"), "f"));
  ASSERT_OK(rename(P("x").c_str(), P("y").c_str()));  // over an empty dir
  EXPECT_EQ(ReadFile(P("y/f")), "f");
  ASSERT_OK(mkdir(P("z").c_str(), 0755));
  EXPECT_ERRNO(rename(P("z").c_str(), P("y").c_str()), ENOTEMPTY);
  ASSERT_TRUE(WriteFile(P("file"), ""));
  EXPECT_ERRNO(rename(P("z").c_str(), P("file").c_str()), ENOTDIR);
  EXPECT_ERRNO(rename(P("y").c_str(), P("y/sub").c_str()), EINVAL);
  ASSERT_OK(mkdir(P("y/inner").c_str(), 0755));
  EXPECT_ERRNO(rename(P("y").c_str(), P("y/inner/deeper").c_str()), EINVAL);
  // nlink of parents follows moved directories.
  nlink_t before = Stat(dir_).st_nlink;
  ASSERT_OK(rename(P("y/inner").c_str(), P("inner").c_str()));
  EXPECT_EQ(Stat(dir_).st_nlink, before + 1);
  EXPECT_EQ(Stat(P("y")).st_nlink, 2u);
}

TEST_F(NamespaceTest, Renameat2Flags) {
  ASSERT_TRUE(WriteFile(P("p"), "P"));
  ASSERT_TRUE(WriteFile(P("q"), "Q"));
  EXPECT_ERRNO(renameat2(AT_FDCWD, P("p").c_str(), AT_FDCWD, P("q").c_str(), RENAME_NOREPLACE), EEXIST);
  ASSERT_OK(renameat2(AT_FDCWD, P("p").c_str(), AT_FDCWD, P("r").c_str(), RENAME_NOREPLACE));
  ASSERT_OK(renameat2(AT_FDCWD, P("r").c_str(), AT_FDCWD, P("q").c_str(), RENAME_EXCHANGE));
  EXPECT_EQ(ReadFile(P("r")), "Q");
  EXPECT_EQ(ReadFile(P("q")), "P");
  EXPECT_ERRNO(renameat2(AT_FDCWD, P("r").c_str(), AT_FDCWD, P("none").c_str(), RENAME_EXCHANGE), ENOENT);
  // Exchange a file and a directory.
  ASSERT_OK(mkdir(P("dd").c_str(), 0755));
  ASSERT_TRUE(WriteFile(P("dd/in"), "i"));
  ASSERT_OK(renameat2(AT_FDCWD, P("dd").c_str(), AT_FDCWD, P("q").c_str(), RENAME_EXCHANGE));
  EXPECT_EQ(ReadFile(P("q/in")), "i");
  EXPECT_EQ(ReadFile(P("dd")), "P");
  EXPECT_ERRNO(renameat2(AT_FDCWD, P("r").c_str(), AT_FDCWD, P("q").c_str(),
                                 RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
}

TEST_F(NamespaceTest, LinkUnlinkRmdir) {
  ASSERT_TRUE(WriteFile(P("f"), "data"));
  ASSERT_OK(link(P("f").c_str(), P("g").c_str()));
  EXPECT_EQ(Stat(P("f")).st_nlink, 2u);
  EXPECT_EQ(Stat(P("f")).st_ino, Stat(P("g")).st_ino);
  EXPECT_ERRNO(link(P("f").c_str(), P("g").c_str()), EEXIST);
  ASSERT_OK(mkdir(P("d").c_str(), 0755));
  EXPECT_ERRNO(link(P("d").c_str(), P("d2").c_str()), EPERM);
  EXPECT_ERRNO(link(P("none").c_str(), P("x").c_str()), ENOENT);
  ASSERT_OK(unlink(P("f").c_str()));
  EXPECT_EQ(Stat(P("g")).st_nlink, 1u);
  EXPECT_EQ(ReadFile(P("g")), "data");
  EXPECT_ERRNO(unlink(P("f").c_str()), ENOENT);
  EXPECT_ERRNO(unlink(P("d").c_str()), EISDIR);
  EXPECT_ERRNO(rmdir(P("g").c_str()), ENOTDIR);
  ASSERT_TRUE(WriteFile(P("d/x"), "x"));
  EXPECT_ERRNO(rmdir(P("d").c_str()), ENOTEMPTY);
  ASSERT_OK(unlink(P("d/x").c_str()));
  ASSERT_OK(rmdir(P("d").c_str()));
  EXPECT_ERRNO(rmdir(P("d").c_str()), ENOENT);
  EXPECT_ERRNO(mkdir(P("g").c_str(), 0755), EEXIST);
  // Sticky directory: others cannot remove your files.
  ASSERT_OK(mkdir(P("sticky").c_str(), 01777));
  ASSERT_OK(chmod(P("sticky").c_str(), 01777));
  ASSERT_TRUE(WriteFile(P("sticky/rootfile"), "r"));
  std::string victim = P("sticky/rootfile");
  EXPECT_EQ(RunAs(65534, 65534, {}, [&] { return unlink(victim.c_str()) == 0 ? 0 : errno; }), EPERM);
  std::string own = P("sticky/own");
  EXPECT_EQ(RunAs(65534, 65534, {}, [&] {
    int fd = open(own.c_str(), O_CREAT | O_WRONLY, 0644);
    if (fd < 0) return errno;
    close(fd);
    return unlink(own.c_str()) == 0 ? 0 : 100 + errno;
  }), 0);
}

TEST_F(NamespaceTest, SymlinksAndLoops) {
  ASSERT_TRUE(WriteFile(P("target"), "T"));
  ASSERT_OK(symlink("target", P("l1").c_str()));
  char buf[256];
  ssize_t n = readlink(P("l1").c_str(), buf, sizeof(buf));
  ASSERT_EQ(n, 6);
  EXPECT_EQ(std::string(buf, n), "target");
  EXPECT_TRUE(S_ISLNK(Stat(P("l1")).st_mode));
  EXPECT_EQ(Stat(P("l1")).st_size, 6);
  EXPECT_EQ(ReadFile(P("l1")), "T");
  EXPECT_ERRNO(readlink(P("target").c_str(), buf, sizeof(buf)), EINVAL);
  EXPECT_ERRNO(symlink("x", P("l1").c_str()), EEXIST);
  // Loops.
  ASSERT_OK(symlink("loopB", P("loopA").c_str()));
  ASSERT_OK(symlink("loopA", P("loopB").c_str()));
  EXPECT_ERRNO(open(P("loopA").c_str(), O_RDONLY), ELOOP);
  EXPECT_ERRNO(stat(P("loopA/x").c_str(), (struct stat*)buf), ELOOP);
  ASSERT_OK(symlink("self", P("self").c_str()));
  EXPECT_ERRNO(access(P("self").c_str(), F_OK), ELOOP);
  // A long chain of 41 links exceeds the kernel's limit of 40.
  for (int i = 0; i < 41; i++) {
    ASSERT_OK(symlink(("c" + std::to_string(i + 1)).c_str(), P("c" + std::to_string(i)).c_str()));
  }
  ASSERT_TRUE(WriteFile(P("c41"), "end"));
  EXPECT_ERRNO(open(P("c0").c_str(), O_RDONLY), ELOOP);
  EXPECT_EQ(ReadFile(P("c2")), "end");
  // Symlink to a directory, and a dangling one.
  ASSERT_OK(mkdir(P("dir").c_str(), 0755));
  ASSERT_OK(symlink("dir", P("dl").c_str()));
  ASSERT_TRUE(WriteFile(P("dl/f"), "via link"));
  EXPECT_EQ(ReadFile(P("dir/f")), "via link");
  ASSERT_OK(symlink("/nonexistent/path", P("dangle").c_str()));
  EXPECT_ERRNO(access(P("dangle").c_str(), F_OK), ENOENT);
  EXPECT_ERRNO(symlink(std::string(5000, 'x').c_str(), P("toolong").c_str()), ENAMETOOLONG);
}

TEST_F(NamespaceTest, FifoAndDevices) {
  ASSERT_OK(mkfifo(P("fifo").c_str(), 0644));
  EXPECT_TRUE(S_ISFIFO(Stat(P("fifo")).st_mode));
  EXPECT_ERRNO(mkfifo(P("fifo").c_str(), 0644), EEXIST);
  // A fifo on the mount works as a pipe (handled by the kernel).
  std::string path = P("fifo");
  std::thread writer([&] {
    int fd = open(path.c_str(), O_WRONLY);
    if (fd >= 0) {
      (void)!write(fd, "through the fifo", 16);
      close(fd);
    }
  });
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_OK(fd);
  char buf[32] = {};
  EXPECT_EQ(read(fd, buf, sizeof(buf)), 16);
  close(fd);
  writer.join();
  EXPECT_EQ(std::string(buf), "through the fifo");
  ASSERT_OK(mknod(P("chr").c_str(), S_IFCHR | 0600, makedev(1, 3)));
  struct stat st = Stat(P("chr"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  ASSERT_OK(mknod(P("blk").c_str(), S_IFBLK | 0600, makedev(7, 0)));
  EXPECT_TRUE(S_ISBLK(Stat(P("blk")).st_mode));
  ASSERT_OK(mknod(P("reg").c_str(), S_IFREG | 0600, 0));
  EXPECT_TRUE(S_ISREG(Stat(P("reg")).st_mode));
  ASSERT_OK(mknod(P("sock").c_str(), S_IFSOCK | 0600, 0));
  EXPECT_TRUE(S_ISSOCK(Stat(P("sock")).st_mode));
  // Only root makes device nodes.
  std::string dev = P("userdev");
  EXPECT_EQ(RunAs(65534, 65534, {}, [&] {
    return mknod(dev.c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0 ? 0 : errno;
  }), EPERM);
}

TEST_F(NamespaceTest, ReaddirSeesEveryStableEntryDuringChanges) {
  // 300 stable names; a second thread creates and removes other names
  // while we list: every stable name appears exactly once per listing.
  for (int i = 0; i < 300; i++) ASSERT_TRUE(WriteFile(P("stable" + std::to_string(i)), ""));
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    int i = 0;
    while (!stop) {
      std::string n = P("tmp" + std::to_string(i % 50));
      if (i % 2 == 0) WriteFile(n, "");
      else unlink(n.c_str());
      i++;
    }
  });
  for (int round = 0; round < 10; round++) {
    std::map<std::string, int> seen;
    DIR* d = opendir(dir_.c_str());
    ASSERT_NE(d, nullptr);
    while (auto* e = readdir(d)) seen[e->d_name]++;
    closedir(d);
    for (int i = 0; i < 300; i++) {
      EXPECT_EQ(seen["stable" + std::to_string(i)], 1) << "round " << round << " entry " << i;
    }
    for (auto& [name, count] : seen) EXPECT_EQ(count, 1) << name;
    EXPECT_EQ(seen["."], 1);
    EXPECT_EQ(seen[".."], 1);
  }
  stop = true;
  churn.join();
  // rewinddir restarts the stream; telldir/seekdir resume it.
  DIR* d = opendir(dir_.c_str());
  ASSERT_NE(d, nullptr);
  for (int i = 0; i < 100; i++) ASSERT_NE(readdir(d), nullptr);
  long pos = telldir(d);
  std::string next = readdir(d)->d_name;
  seekdir(d, pos);
  EXPECT_EQ(readdir(d)->d_name, next);
  rewinddir(d);
  int count = 0;
  while (readdir(d)) count++;
  closedir(d);
  EXPECT_GE(count, 302);
  // d_type is filled.
  ASSERT_OK(mkdir(P("subdir").c_str(), 0755));
  d = opendir(dir_.c_str());
  bool found = false;
  while (auto* e = readdir(d)) {
    if (std::string(e->d_name) == "subdir") found = e->d_type == DT_DIR;
  }
  closedir(d);
  EXPECT_TRUE(found);
}

TEST_F(NamespaceTest, LargeDirectoryListsEveryEntryOnce) {
  // More entries than a directory handle keeps in memory at once.
  constexpr int kN = 9000;
  for (int i = 0; i < kN; i++) {
    ASSERT_OK(mknod(P("n" + std::to_string(i)).c_str(), S_IFREG | 0644, 0));
  }
  DIR* d = opendir(dir_.c_str());
  ASSERT_NE(d, nullptr);
  std::map<std::string, int> seen;
  long mid = -1;
  std::string atMid;
  int count = 0;
  while (auto* e = readdir(d)) {
    seen[e->d_name]++;
    if (++count == 100) {
      mid = telldir(d);
    } else if (count == 101) {
      atMid = e->d_name;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kN + 2));
  for (auto& [n, c] : seen) EXPECT_EQ(c, 1) << n;
  // Seeking back before the kept window still resumes at the right entry.
  seekdir(d, mid);
  auto* e = readdir(d);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->d_name, atMid);
  closedir(d);
}

}  // namespace
}  // namespace slicefs::testing
