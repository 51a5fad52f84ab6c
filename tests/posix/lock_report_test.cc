// fcntl record locks compared with the local disk: one process takes a
// sequence of read and write locks on several ranges (some adjacent, some
// overlapping, so that Linux merges and splits them), another asks F_GETLK
// for a grid of ranges of both types, and every answer (type, start, length,
// whether the pid is the holder's) must be what the local filesystem says.
// Also: F_SETLKW cycles among processes of one mount fail with EDEADLK.
#include <signal.h>
#include <sys/wait.h>

#include <sstream>

#include "posix/posix_util.h"
#include "support/child_process.h"

namespace slicefs::testing {
namespace {

using namespace std::chrono_literals;

class LockReportTest : public MountedTest {};

struct Lk {
  short type;
  off_t start, len;
};

// The holder's sequence: write [0,10), read [10,20) (adjacent, other type),
// write [30,40) + write [40,50) (merged), read [60,100) then unlock [70,80)
// (split), read [200,EOF) then write [250,260) inside it (split in three).
const std::vector<Lk> kHolderLocks = {
    {F_WRLCK, 0, 10},  {F_RDLCK, 10, 10},  {F_WRLCK, 30, 10},  {F_WRLCK, 40, 10},
    {F_RDLCK, 60, 40}, {F_UNLCK, 70, 10},  {F_RDLCK, 200, 0},  {F_WRLCK, 250, 10},
};

// Every F_GETLK answer for the grid, one line each.
std::vector<std::string> Probe(const std::string& path) {
  std::vector<std::string> out;
  ChildProcess holder([&](ChildProcess& c) {
    int fd = open(path.c_str(), O_RDWR);
    int bad = fd < 0 ? 1 : 0;
    for (const auto& l : kHolderLocks) bad += SetLk(fd, l.type, l.start, l.len) != 0;
    c.Report(bad);
    c.Wait();
    return 0;
  });
  if (holder.Next(10s) != 0) return {"holder could not lock"};
  int fd = open(path.c_str(), O_RDWR);
  if (fd < 0) return {"cannot open"};
  for (short type : {F_RDLCK, F_WRLCK}) {
    for (off_t start : {0, 5, 9, 10, 15, 19, 20, 25, 29, 30, 45, 50, 55, 65, 70, 75, 85, 99, 100, 150, 199, 220, 255, 300}) {
      for (off_t len : {1, 2, 6, 11, 31, 0}) {
        struct flock fl = {};
        fl.l_type = type;
        fl.l_whence = SEEK_SET;
        fl.l_start = start;
        fl.l_len = len;
        std::ostringstream line;
        line << (type == F_RDLCK ? "R" : "W") << " [" << start << "+" << len << "): ";
        if (fcntl(fd, F_GETLK, &fl) != 0) {
          line << "errno " << errno;
        } else if (fl.l_type == F_UNLCK) {
          line << "unlocked";
        } else {
          line << (fl.l_type == F_RDLCK ? "R" : "W") << " " << fl.l_start << "+" << fl.l_len
               << (fl.l_pid == holder.pid() ? " holder" : " pid?");
        }
        out.push_back(line.str());
      }
    }
  }
  close(fd);
  holder.Go();
  return out;
}

TEST_F(LockReportTest, GetlkReportsTheConflictingLockAsLocalDisk) {
  TempDir local("slicefs-getlk");
  ASSERT_TRUE(WriteFile(local.path() + "/f", std::string(300, 'x')));
  ASSERT_TRUE(WriteFile(P("f"), std::string(300, 'x')));
  auto want = Probe(local.path() + "/f");
  auto got = Probe(P("f"));
  ASSERT_EQ(want.size(), got.size()) << (got.empty() ? "" : got[0]);
  int mismatches = 0;
  for (size_t i = 0; i < want.size(); i++) {
    if (want[i] != got[i] && ++mismatches <= 20) {
      ADD_FAILURE() << "F_GETLK\n  local: " << want[i] << "\n  mount: " << got[i];
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << want.size() << " probes";
}

// Two processes each hold one lock and then F_SETLKW the other's range:
// the one that closes the cycle fails with EDEADLK (the other is then
// granted once the first gives up its lock), as on Linux.
TEST_F(LockReportTest, SetlkwCycleFailsWithEdeadlk) {
  ASSERT_TRUE(WriteFile(P("f"), std::string(100, 'x')));
  const std::string path = P("f");
  auto locker = [&](off_t mine, off_t theirs) {
    return [=](ChildProcess& c) {
      int fd = open(path.c_str(), O_RDWR);
      c.Report(fd < 0 ? errno : SetLk(fd, F_WRLCK, mine, 10) == 0 ? 0 : errno);
      c.Wait();
      int r = SetLk(fd, F_WRLCK, theirs, 10, /*wait=*/true);
      c.Report(r == 0 ? 0 : errno);
      if (r != 0) SetLk(fd, F_UNLCK, mine, 10);  // give up, as a deadlock victim does
      c.Wait();
      return 0;
    };
  };
  ChildProcess a(locker(0, 50)), b(locker(50, 0));
  ASSERT_EQ(a.Next(10s), 0);
  ASSERT_EQ(b.Next(10s), 0);
  a.Go();
  EXPECT_EQ(a.Next(500ms), std::nullopt) << "A's F_SETLKW did not wait for B";
  b.Go();  // closes the cycle
  EXPECT_EQ(b.Next(10s), EDEADLK) << "the F_SETLKW that closes the cycle must fail with EDEADLK";
  EXPECT_EQ(a.Next(10s), 0) << "A was not granted after B gave up";
  a.Go();
  b.Go();
  EXPECT_EQ(a.Join(10s), 0);
  EXPECT_EQ(b.Join(10s), 0);

  // A three-process cycle: A waits for B, B for C, C for A.
  ChildProcess x(locker(0, 30)), y(locker(30, 60)), z(locker(60, 0));
  ASSERT_EQ(x.Next(10s), 0);
  ASSERT_EQ(y.Next(10s), 0);
  ASSERT_EQ(z.Next(10s), 0);
  x.Go();
  y.Go();
  EXPECT_EQ(x.Next(300ms), std::nullopt);
  EXPECT_EQ(y.Next(300ms), std::nullopt);
  z.Go();
  EXPECT_EQ(z.Next(10s), EDEADLK);
  EXPECT_EQ(y.Next(10s), 0);  // C gave up [60,70)
  y.Go();                     // B exits, dropping [30,40)
  EXPECT_EQ(x.Next(10s), 0);
  x.Go();
  z.Go();
}

}  // namespace
}  // namespace slicefs::testing
