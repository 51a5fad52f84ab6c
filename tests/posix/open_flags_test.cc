// open(2) flag combinations compared with the local disk: the same cases run
// as an unprivileged user in a directory on the mount and in one on the
// local filesystem, and every outcome (errno, the opened file's type and
// size, a read and a write through the descriptor, and the state of the
// names afterwards) must be the same. Targets: a regular file, a read-only
// file, a symlink to each, a dangling symlink, a directory, a symlink to it
// and a missing name; flags: every access mode with every subset of
// O_TRUNC, O_APPEND, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, plus O_PATH.
// O_TMPFILE is not compared: FUSE (libfuse 3.14 here) has no tmpfile
// operation, so the kernel answers EOPNOTSUPP on the mount.
#include <grp.h>
#include <sys/wait.h>

#include <sstream>

#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

constexpr uid_t kUser = 65534;   // nobody
constexpr gid_t kGroup = 65534;  // nogroup

class OpenFlagsTest : public MountedTest {};

std::string Errno(int e) { return std::string("E:") + strerrorname_np(e); }

// "name=type:size[:content or target]" for each fixture name.
std::string TreeState(const std::string& dir) {
  std::ostringstream out;
  for (const char* n : {"f", "ro", "lf", "lro", "dl", "d", "ld", "new", "missing"}) {
    std::string p = dir + "/" + n;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) {
      out << n << "=- ";
      continue;
    }
    out << n << "=" << std::oct << (st.st_mode & 0170777) << std::dec;
    if (S_ISREG(st.st_mode)) out << ":" << st.st_size << ":" << ReadFile(p);
    if (S_ISLNK(st.st_mode)) {
      char buf[256];
      ssize_t k = readlink(p.c_str(), buf, sizeof(buf));
      out << ":" << std::string(buf, k > 0 ? k : 0);
    }
    out << " ";
  }
  return out.str();
}

bool MakeFixture(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0) return false;
  if (!WriteFile(dir + "/f", "hello")) return false;
  if (!WriteFile(dir + "/ro", "hello") || chmod((dir + "/ro").c_str(), 0444) != 0) return false;
  if (mkdir((dir + "/d").c_str(), 0755) != 0) return false;
  return symlink("f", (dir + "/lf").c_str()) == 0 && symlink("ro", (dir + "/lro").c_str()) == 0 &&
         symlink("missing", (dir + "/dl").c_str()) == 0 && symlink("d", (dir + "/ld").c_str()) == 0;
}

// One case: open(dir/name, flags, 0640), then a 1-byte read and write and
// close; returns a line describing everything that happened.
std::string RunCase(const std::string& dir, const std::string& name, int flags) {
  std::ostringstream out;
  if (!MakeFixture(dir)) return "fixture failed: " + Errno(errno);
  int fd = open((dir + "/" + name).c_str(), flags, 0640);
  if (fd < 0) {
    out << "open " << Errno(errno);
  } else {
    struct stat st;
    fstat(fd, &st);
    out << "open ok type=" << std::oct << (st.st_mode & 0170000) << std::dec << " size=" << st.st_size;
    char c;
    ssize_t r = read(fd, &c, 1);
    out << " read=" << (r < 0 ? Errno(errno) : std::to_string(r));
    r = write(fd, "X", 1);
    out << " write=" << (r < 0 ? Errno(errno) : std::to_string(r));
    out << " close=" << (close(fd) == 0 ? "0" : Errno(errno));
  }
  out << " | " << TreeState(dir);
  return out.str();
}

struct Case {
  std::string name;
  int flags;
};

std::string FlagsName(int flags) {
  std::string s = (flags & O_ACCMODE) == O_RDONLY ? "RDONLY" : (flags & O_ACCMODE) == O_WRONLY ? "WRONLY" : "RDWR";
  const std::pair<int, const char*> bits[] = {{O_TRUNC, "TRUNC"},       {O_APPEND, "APPEND"},
                                              {O_CREAT, "CREAT"},       {O_EXCL, "EXCL"},
                                              {O_DIRECTORY, "DIRECTORY"}, {O_NOFOLLOW, "NOFOLLOW"},
                                              {O_PATH, "PATH"}};
  for (auto [b, n] : bits) {
    if (flags & b) s += std::string("|") + n;
  }
  return s;
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  const char* names[] = {"f", "ro", "lf", "lro", "dl", "d", "ld", "missing"};
  const int mods[] = {O_TRUNC, O_APPEND, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW};
  for (const char* n : names) {
    for (int acc : {O_RDONLY, O_WRONLY, O_RDWR}) {
      for (int m = 0; m < (1 << 6); m++) {
        int flags = acc;
        for (int b = 0; b < 6; b++) {
          if (m & (1 << b)) flags |= mods[b];
        }
        cases.push_back({n, flags});
      }
    }
    for (int extra : {0, O_NOFOLLOW, O_DIRECTORY}) cases.push_back({n, O_PATH | extra});
  }
  return cases;
}

// Runs every case as kUser under base (which kUser owns); one line each.
std::vector<std::string> RunAll(const std::string& base, const std::vector<Case>& cases) {
  int p[2];
  if (pipe(p) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (setgroups(0, nullptr) != 0 || setresgid(kGroup, kGroup, kGroup) != 0 ||
        setresuid(kUser, kUser, kUser) != 0) {
      _exit(1);
    }
    umask(022);
    FILE* f = fdopen(p[1], "w");
    for (size_t i = 0; i < cases.size(); i++) {
      std::string line = RunCase(base + "/c" + std::to_string(i), cases[i].name, cases[i].flags);
      std::fprintf(f, "%s\n", line.c_str());
    }
    std::fclose(f);
    _exit(0);
  }
  close(p[1]);
  std::vector<std::string> lines;
  FILE* f = fdopen(p[0], "r");
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, f)) > 0) lines.emplace_back(buf, n - 1);
  free(buf);
  std::fclose(f);
  waitpid(pid, nullptr, 0);
  return lines;
}

TEST_F(OpenFlagsTest, EveryCombinationMatchesLocalDisk) {
  TempDir local("slicefs-openflags");
  const std::string onDisk = local.path() + "/t", onMount = P("t");
  for (const auto& d : {onDisk, onMount}) {
    ASSERT_OK(mkdir(d.c_str(), 0755));
    ASSERT_OK(chown(d.c_str(), kUser, kGroup));
  }
  chmod(local.path().c_str(), 0755);
  const auto cases = AllCases();
  auto want = RunAll(onDisk, cases);
  auto got = RunAll(onMount, cases);
  ASSERT_EQ(want.size(), cases.size()) << "the local run did not finish";
  ASSERT_EQ(got.size(), cases.size()) << "the mount run did not finish";
  int mismatches = 0;
  for (size_t i = 0; i < cases.size(); i++) {
    if (want[i] == got[i]) continue;
    if (++mismatches <= 25) {
      ADD_FAILURE() << "open(" << cases[i].name << ", " << FlagsName(cases[i].flags) << ")\n  local: " << want[i]
                    << "\n  mount: " << got[i];
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << cases.size() << " cases";
}

TEST_F(OpenFlagsTest, ReadOnlyTruncTruncates) {
  // With write permission: truncates, as on Linux; without: EACCES, unchanged.
  ASSERT_TRUE(WriteFile(P("t"), "hello"));
  int fd = open(P("t").c_str(), O_RDONLY | O_TRUNC);
  ASSERT_OK(fd);
  struct stat st;
  ASSERT_OK(fstat(fd, &st));
  EXPECT_EQ(st.st_size, 0);
  close(fd);
  EXPECT_EQ(ReadFile(P("t")), "");
  EXPECT_EQ(Stat(P("t")).st_size, 0);
  ASSERT_TRUE(WriteFile(P("t"), "hello"));
  EXPECT_EQ(RunAs(kUser, kGroup, {}, [&] { return open(P("t").c_str(), O_RDONLY | O_TRUNC) >= 0 ? 0 : errno; }),
            EACCES);
  EXPECT_EQ(ReadFile(P("t")), "hello");
}

TEST_F(OpenFlagsTest, TmpfileIsNotSupported) {
  // No FUSE tmpfile operation in this libfuse: the kernel refuses it.
  errno = 0;
  int fd = open(dir_.c_str(), O_TMPFILE | O_RDWR, 0600);
  if (fd >= 0) close(fd);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, EOPNOTSUPP) << std::strerror(errno);
}

}  // namespace
}  // namespace slicefs::testing
