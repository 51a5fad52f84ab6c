// flock and fcntl record locks between mounts: each locker is a forked
// child process (its own lock owner and pid) on one of two mounts of the
// volume. Conflicts are seen across mounts, F_GETLK reports the holder on the
// other mount, and a blocked F_SETLKW / blocking flock on one mount wakes when
// the holder on the other mount unlocks or closes its descriptor.
#include <sys/file.h>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiLocks : public MultiMountTest {};

constexpr auto kReply = 10s;      // bound for any step that must complete
constexpr auto kBlocked = 700ms;  // a blocked lock must still be waiting after this

// SetLk (posix_util.h) as 0 or the errno.
int Lock(int fd, short type, off_t start, off_t len, bool wait = false) {
  return SetLk(fd, type, start, len, wait) == 0 ? 0 : errno;
}

// F_GETLK for (type, start, len): reports type, pid, start, len of the
// conflicting lock, only F_UNLCK when there is none, or -errno.
void ReportGetLk(ChildProcess& c, int fd, short type, off_t start, off_t len) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  if (fcntl(fd, F_GETLK, &fl) != 0) {
    c.Report(-errno);
    return;
  }
  c.Report(fl.l_type);
  if (fl.l_type == F_UNLCK) return;
  c.Report(fl.l_pid);
  c.Report(static_cast<int>(fl.l_start));
  c.Report(static_cast<int>(fl.l_len));
}

int Flock(int fd, int op) { return flock(fd, op) == 0 ? 0 : errno; }

bool WouldBlock(std::optional<int> e) { return e && (*e == EAGAIN || *e == EACCES || *e == EWOULDBLOCK); }

TEST_P(MultiLocks, FlockConflictsAndWakesAcrossMounts) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_TRUE(WriteFile(*a / "f", "lock me"));
  const std::string onA = *a / "f", onB = *b / "f";
  ASSERT_TRUE(WaitFor([&] { return ReadFile(onB) == "lock me"; }, kCacheTimeout + 3s));

  // Holder on A: LOCK_EX, then LOCK_UN on the first go-ahead.
  ChildProcess holder([&](ChildProcess& c) {
    int fd = open(onA.c_str(), O_RDWR);
    c.Report(fd < 0 ? errno : Flock(fd, LOCK_EX));
    c.Wait();
    c.Report(Flock(fd, LOCK_UN));
    c.Wait();
    return 0;
  });
  ASSERT_EQ(holder.Next(kReply), 0);
  // Contender on B: non-blocking attempts fail, a blocking one waits; once
  // it has the lock it releases it by closing its descriptor.
  ChildProcess contender([&](ChildProcess& c) {
    int fd = open(onB.c_str(), O_RDWR);
    if (fd < 0) return 1;
    c.Report(Flock(fd, LOCK_EX | LOCK_NB));
    c.Report(Flock(fd, LOCK_SH | LOCK_NB));
    c.Report(Flock(fd, LOCK_EX));
    c.Wait();
    c.Report(close(fd) == 0 ? 0 : errno);
    c.Wait();
    return 0;
  });
  EXPECT_TRUE(WouldBlock(contender.Next(kReply))) << "LOCK_EX|LOCK_NB on B granted while A holds LOCK_EX";
  EXPECT_TRUE(WouldBlock(contender.Next(kReply))) << "LOCK_SH|LOCK_NB on B granted while A holds LOCK_EX";
  EXPECT_EQ(contender.Next(kBlocked), std::nullopt) << "blocking LOCK_EX on B did not wait for A";
  holder.Go();  // A unlocks
  EXPECT_EQ(holder.Next(kReply), 0);
  EXPECT_EQ(contender.Next(kReply), 0) << "blocked flock on B did not wake when A unlocked";

  // Now B holds it: a blocking LOCK_EX on A waits until B's process closes
  // its descriptor (no explicit unlock).
  ChildProcess waiter([&](ChildProcess& c) {
    int fd = open(onA.c_str(), O_RDWR);
    if (fd < 0) return 1;
    c.Report(Flock(fd, LOCK_SH | LOCK_NB));
    c.Report(Flock(fd, LOCK_EX));
    c.Wait();
    return 0;
  });
  EXPECT_TRUE(WouldBlock(waiter.Next(kReply))) << "LOCK_SH|LOCK_NB on A granted while B holds LOCK_EX";
  EXPECT_EQ(waiter.Next(kBlocked), std::nullopt) << "blocking LOCK_EX on A did not wait for B";
  contender.Go();  // B closes its descriptor
  EXPECT_EQ(contender.Next(kReply), 0);
  EXPECT_EQ(waiter.Next(kReply), 0) << "blocked flock on A did not wake when B closed its descriptor";

  // Shared locks are shared across mounts.
  ChildProcess reader([&](ChildProcess& c) {
    int fd = open(onB.c_str(), O_RDWR);
    c.Report(fd < 0 ? errno : Flock(fd, LOCK_SH | LOCK_NB));
    c.Wait();
    return 0;
  });
  EXPECT_TRUE(WouldBlock(reader.Next(kReply))) << "LOCK_SH on B granted while A holds LOCK_EX";
  waiter.Go();
  EXPECT_EQ(waiter.Join(kReply), 0);  // exiting releases its lock
  // The kernel does not wait for RELEASE when a process exits, so the
  // unlock reaches the engine just after waitpid returns: on A a conflicting
  // flock waits for it (flock_waits.h); on B it shows up within the RELEASE
  // latency (docs/architecture.md, "Many clients"). Try for up to 3 s.
  ChildProcess reader2([&](ChildProcess& c) {
    int fd = open(onB.c_str(), O_RDWR);
    int r = fd < 0 ? errno : Flock(fd, LOCK_SH | LOCK_NB);
    for (int i = 0; i < 300 && fd >= 0 && WouldBlock(r); i++) {
      usleep(10000);
      r = Flock(fd, LOCK_SH | LOCK_NB);
    }
    c.Report(r);
    c.Wait();
    return 0;
  });
  EXPECT_EQ(reader2.Next(kReply), 0) << "lock left behind by a process that exited on A (held after 3 s)";
  ChildProcess reader3([&](ChildProcess& c) {
    int fd = open(onA.c_str(), O_RDWR);
    c.Report(fd < 0 ? errno : Flock(fd, LOCK_SH | LOCK_NB));
    c.Report(Flock(fd, LOCK_EX | LOCK_NB));
    c.Wait();
    return 0;
  });
  EXPECT_EQ(reader3.Next(kReply), 0) << "LOCK_SH on A refused while B holds only LOCK_SH";
  EXPECT_TRUE(WouldBlock(reader3.Next(kReply))) << "LOCK_EX on A granted while B holds LOCK_SH";
}

TEST_P(MultiLocks, FcntlConflictsReportsAndWakesAcrossMounts) {
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  ASSERT_TRUE(WriteFile(*a / "r", std::string(1000, 'r')));
  const std::string onA = *a / "r", onB = *b / "r";
  ASSERT_TRUE(WaitFor([&] { return Stat(onB).st_size == 1000; }, kCacheTimeout + 3s));

  // Holder on A: write lock [0,100), read lock [200,300); then unlocks the
  // write lock, then closes the descriptor (dropping the read lock).
  ChildProcess holder([&](ChildProcess& c) {
    int fd = open(onA.c_str(), O_RDWR);
    if (fd < 0) return 1;
    c.Report(Lock(fd, F_WRLCK, 0, 100));
    c.Report(Lock(fd, F_RDLCK, 200, 100));
    c.Wait();
    c.Report(Lock(fd, F_UNLCK, 0, 100));
    c.Wait();
    c.Report(close(fd) == 0 ? 0 : errno);
    c.Wait();
    return 0;
  });
  ASSERT_EQ(holder.Next(kReply), 0);
  ASSERT_EQ(holder.Next(kReply), 0);

  ChildProcess prober([&](ChildProcess& c) {
    int fd = open(onB.c_str(), O_RDWR);
    if (fd < 0) return 1;
    c.Report(Lock(fd, F_WRLCK, 50, 10));   // conflicts with A's write lock
    c.Report(Lock(fd, F_RDLCK, 99, 1));    // so does a read lock
    ReportGetLk(c, fd, F_RDLCK, 50, 10);    // A's write lock
    c.Report(Lock(fd, F_RDLCK, 250, 10));  // shares A's read lock
    c.Report(Lock(fd, F_WRLCK, 250, 10));  // cannot upgrade over it
    ReportGetLk(c, fd, F_WRLCK, 299, 5);    // A's read lock
    c.Report(Lock(fd, F_WRLCK, 100, 100)); // the gap [100,200) is free
    ReportGetLk(c, fd, F_WRLCK, 500, 0);    // nothing there
    c.Report(Lock(fd, F_WRLCK, 0, 100, /*wait=*/true));
    c.Wait();
    return 0;
  });
  const int holderPid = holder.pid();
  EXPECT_TRUE(WouldBlock(prober.Next(kReply))) << "F_WRLCK on B granted over A's write lock";
  EXPECT_TRUE(WouldBlock(prober.Next(kReply))) << "F_RDLCK on B granted over A's write lock";
  EXPECT_EQ(prober.Next(kReply), F_WRLCK) << "F_GETLK on B does not report A's write lock";
  EXPECT_EQ(prober.Next(kReply), holderPid) << "F_GETLK l_pid is not the holder's pid";
  EXPECT_EQ(prober.Next(kReply), 0) << "l_start";
  EXPECT_EQ(prober.Next(kReply), 100) << "l_len";
  EXPECT_EQ(prober.Next(kReply), 0) << "read locks on two mounts must share";
  EXPECT_TRUE(WouldBlock(prober.Next(kReply))) << "upgrade on B granted over A's read lock";
  EXPECT_EQ(prober.Next(kReply), F_RDLCK) << "F_GETLK on B does not report A's read lock";
  EXPECT_EQ(prober.Next(kReply), holderPid);
  EXPECT_EQ(prober.Next(kReply), 200) << "l_start";
  EXPECT_EQ(prober.Next(kReply), 100) << "l_len";
  EXPECT_EQ(prober.Next(kReply), 0) << "a free range was refused";
  EXPECT_EQ(prober.Next(kReply), F_UNLCK) << "F_GETLK reports a lock where there is none";
  EXPECT_EQ(prober.Next(kBlocked), std::nullopt) << "F_SETLKW on B did not wait for A's write lock";
  holder.Go();  // A unlocks [0,100)
  EXPECT_EQ(holder.Next(kReply), 0);
  EXPECT_EQ(prober.Next(kReply), 0) << "F_SETLKW on B did not wake when A unlocked";

  // A waiter on A for [200,250): blocked by the holder's read lock;
  // F_GETLK on A at 10 sees B's write lock [0,100) with the prober's pid.
  ChildProcess waiter([&](ChildProcess& c) {
    int fd = open(onA.c_str(), O_RDWR);
    if (fd < 0) return 1;
    ReportGetLk(c, fd, F_RDLCK, 10, 1);
    c.Report(Lock(fd, F_WRLCK, 200, 50, /*wait=*/true));
    c.Wait();
    return 0;
  });
  EXPECT_EQ(waiter.Next(kReply), F_WRLCK) << "F_GETLK on A does not report B's write lock";
  EXPECT_EQ(waiter.Next(kReply), prober.pid());
  EXPECT_EQ(waiter.Next(kReply), 0);
  // B's [100,200) and [0,100) are one write lock [0,200), as on Linux.
  EXPECT_EQ(waiter.Next(kReply), 200);
  EXPECT_EQ(waiter.Next(kBlocked), std::nullopt) << "F_SETLKW on A did not wait for the read lock";
  holder.Go();  // the holder closes its descriptor: its read lock goes
  EXPECT_EQ(holder.Next(kReply), 0);
  EXPECT_EQ(waiter.Next(kReply), 0) << "F_SETLKW on A did not wake when the holder closed its descriptor";
}

INSTANTIATE_MULTI_SUITE(MultiLocks);

}  // namespace
}  // namespace slicefs::testing
