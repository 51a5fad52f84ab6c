// Conformance: sessions, open-unlinked files, stale-session cleanup, the
// trash, flock and POSIX locks across clients.
#include <fcntl.h>
#include <sys/stat.h>

#include <future>
#include <thread>

#include "common/encoding.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

using namespace std::chrono_literals;

TEST_P(MetaTest, SessionsAreListedAndClosed) {
  ASSERT_OK(meta_->NewSession(SessionInfo{"host-a", "/mnt/a", 123, "0.1"}));
  uint64_t sid = meta_->sessionId();
  EXPECT_NE(sid, 0u);
  auto other = OpenClient();
  ASSERT_OK(other->NewSession(SessionInfo{"host-b", "/mnt/b", 456, "0.1"}));
  EXPECT_NE(other->sessionId(), sid);
  auto list = Must(meta_->ListSessions());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].sid, sid);
  EXPECT_EQ(list[0].info.hostname, "host-a");
  EXPECT_EQ(list[0].info.processId, 123u);
  EXPECT_EQ(list[1].info.mountPoint, "/mnt/b");
  const int64_t now = MetaImpl::NowNs() / 1000000000;
  EXPECT_GT(list[0].expireSec, now);
  EXPECT_LE(list[1].lastHeartbeatSec, now);  // the time of its registration (or a heartbeat)
  EXPECT_GE(list[1].lastHeartbeatSec, now - 5);
  EXPECT_FALSE(list[1].info.readOnly);
  ASSERT_OK(other->CloseSession());
  ASSERT_OK(other->CloseSession());  // idempotent
  EXPECT_EQ(Must(meta_->ListSessions()).size(), 1u);
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 0);
}

// A service session (src/service/) lists its kind and address; a mount's
// has neither.
TEST_P(MetaTest, ServiceSessionListsKindAndAddress) {
  SessionInfo si{"host-a", "webdav", 7, "0.1"};
  si.kind = "webdav";
  si.address = "127.0.0.1:8080";
  ASSERT_OK(meta_->NewSession(si));
  auto other = OpenClient();
  ASSERT_OK(other->NewSession(SessionInfo{"host-b", "/mnt/b", 8, "0.1"}));
  auto list = Must(meta_->ListSessions());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].info.kind, "webdav");
  EXPECT_EQ(list[0].info.address, "127.0.0.1:8080");
  EXPECT_EQ(list[1].info.kind, "");
  EXPECT_EQ(list[1].info.address, "");
  ASSERT_OK(other->CloseSession());
}

TEST_P(MetaTest, UnlinkedOpenFileLivesUntilClose) {
  ASSERT_OK(meta_->NewSession(SessionInfo{"h", "/m", 1, "v"}));
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 100, 0, 100}, 1));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_ERRNO(meta_->Lookup(root_, kRootIno, "f"), ENOENT);
  auto a = Must(meta_->GetAttr(root_, f.ino));
  EXPECT_EQ(a.nlink, 0u);
  EXPECT_TRUE(KeyExists(meta_->kv(), keys::SessionFile(meta_->sessionId(), f.ino)));
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{100, s, 100, 0, 50}, 2));  // still writable
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 150u);
  EXPECT_ERRNO(meta_->Link(root_, f.ino, kRootIno, "back"), ENOENT);
  CheckInvariants(meta_->kv());
  ASSERT_OK(meta_->Close(f.ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::SessionFile(meta_->sessionId(), f.ino)));
  EXPECT_TRUE(KeyExists(meta_->kv(), keys::Deleted(f.ino, 150)));
  ASSERT_OK(impl().FlushUsage());
  auto scan = CheckInvariants(meta_->kv());
  EXPECT_EQ(scan.inodes, 0u);
  EXPECT_EQ(Must(meta_->StatFs(root_, kRootIno)).usedInodes, 0u);
}

TEST_P(MetaTest, TwoOpensKeepTheFileUntilTheLastClose) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  Must(meta_->Open(root_, f.ino, O_RDONLY));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  ASSERT_OK(meta_->Close(f.ino));
  EXPECT_OK(meta_->GetAttr(root_, f.ino));
  ASSERT_OK(meta_->Close(f.ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
}

TEST_P(MetaTest, CloseSessionReleasesOpenUnlinkedFilesAndLocks) {
  auto other = OpenClient();
  ASSERT_OK(other->NewSession(SessionInfo{"b", "/b", 2, "v"}));
  ASSERT_OK(meta_->NewSession(SessionInfo{"a", "/a", 1, "v"}));
  auto f = Must(other->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  auto g = Must(meta_->Create(root_, kRootIno, "g", 0644, 0, O_RDWR));
  ASSERT_OK(other->Flock(root_, g.ino, 7, F_WRLCK, false));
  ASSERT_OK(other->Setlk(root_, g.ino, 7, false, F_WRLCK, 0, 100, 42));
  ASSERT_OK(other->Unlink(root_, kRootIno, "f"));
  EXPECT_OK(meta_->GetAttr(root_, f.ino));
  EXPECT_ERRNO(meta_->Flock(root_, g.ino, 1, F_RDLCK, false), EAGAIN);
  ASSERT_OK(other->CloseSession());
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_OK(meta_->Flock(root_, g.ino, 1, F_WRLCK, false));
  EXPECT_OK(meta_->Setlk(root_, g.ino, 1, false, F_WRLCK, 0, 100, 1));
}

TEST_P(MetaTest, StaleSessionIsCleanedByAnotherClient) {
  MetaOptions slow;
  slow.heartbeatSec = 3600;  // never beats during the test: it "crashed"
  auto dead = OpenClient(slow);
  ASSERT_OK(dead->NewSession(SessionInfo{"dead", "/d", 9, "v"}));
  ASSERT_OK(meta_->NewSession(SessionInfo{"live", "/l", 1, "v"}));
  auto f = Must(dead->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  auto g = Must(meta_->Create(root_, kRootIno, "g", 0644, 0, O_RDWR));
  ASSERT_OK(dead->Flock(root_, g.ino, 5, F_WRLCK, false));
  ASSERT_OK(dead->Setlk(root_, g.ino, 5, false, F_RDLCK, 10, 20, 9));
  ASSERT_OK(dead->Unlink(root_, kRootIno, "f"));
  const uint64_t deadSid = dead->sessionId();
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 0);  // not expired yet
  ExpireSession(meta_->kv(), deadSid);
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 1);
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::SessionExpire(deadSid)));
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::SessionInfo(deadSid)));
  EXPECT_OK(meta_->Flock(root_, g.ino, 1, F_WRLCK, false));
  EXPECT_OK(meta_->Setlk(root_, g.ino, 1, false, F_WRLCK, 0, UINT64_MAX, 1));
  EXPECT_EQ(Must(meta_->ListSessions()).size(), 1u);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTest, FlockSharedExclusiveAcrossClients) {
  auto other = OpenClient();
  ASSERT_OK(meta_->NewSession(SessionInfo{"a", "/a", 1, "v"}));
  ASSERT_OK(other->NewSession(SessionInfo{"b", "/b", 2, "v"}));
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  ASSERT_OK(meta_->Flock(root_, f.ino, 1, F_RDLCK, false));
  ASSERT_OK(other->Flock(root_, f.ino, 1, F_RDLCK, false));  // same owner number, other session
  EXPECT_ERRNO(meta_->Flock(root_, f.ino, 2, F_WRLCK, false), EAGAIN);
  EXPECT_ERRNO(meta_->Flock(root_, f.ino, 1, F_WRLCK, false), EAGAIN);  // upgrade blocked by b
  ASSERT_OK(other->Flock(root_, f.ino, 1, F_UNLCK, false));
  ASSERT_OK(meta_->Flock(root_, f.ino, 1, F_WRLCK, false));  // upgrade
  EXPECT_ERRNO(other->Flock(root_, f.ino, 3, F_RDLCK, false), EAGAIN);
  // A blocking request waits for the release.
  auto waiter = std::async(std::launch::async, [&] { return other->Flock(root_, f.ino, 3, F_WRLCK, true); });
  EXPECT_EQ(waiter.wait_for(200ms), std::future_status::timeout);
  ASSERT_OK(meta_->Flock(root_, f.ino, 1, F_UNLCK, false));
  EXPECT_OK(waiter.get());
  // An interrupted waiter returns EINTR.
  auto w2 = std::async(std::launch::async, [&] { return meta_->Flock(root_, f.ino, 9, F_RDLCK, true); });
  std::this_thread::sleep_for(100ms);
  meta_->InterruptLock(9);
  EXPECT_ERRNO(w2.get(), EINTR);
  EXPECT_ERRNO(meta_->Flock(root_, f.ino, 1, 99, false), EINVAL);
  EXPECT_ERRNO(meta_->Flock(root_, 565656565, 1, F_RDLCK, false), ENOENT);
}

TEST_P(MetaTest, PosixLocksRangesAndGetlk) {
  auto other = OpenClient();
  ASSERT_OK(meta_->NewSession(SessionInfo{"a", "/a", 1, "v"}));
  ASSERT_OK(other->NewSession(SessionInfo{"b", "/b", 2, "v"}));
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  ASSERT_OK(meta_->Setlk(root_, f.ino, 1, false, F_WRLCK, 0, 99, 111));
  ASSERT_OK(other->Setlk(root_, f.ino, 1, false, F_WRLCK, 100, 199, 222));  // adjacent: fine
  EXPECT_ERRNO(other->Setlk(root_, f.ino, 1, false, F_RDLCK, 50, 60, 222), EAGAIN);
  int type = F_RDLCK;
  uint64_t start = 50, end = 150;
  uint32_t pid = 0;
  ASSERT_OK(other->Getlk(root_, f.ino, 1, &type, &start, &end, &pid));
  EXPECT_EQ(type, F_WRLCK);
  EXPECT_EQ(start, 0u);
  EXPECT_EQ(end, 99u);
  EXPECT_EQ(pid, 111u);
  // Unlocking the middle splits the range.
  ASSERT_OK(meta_->Setlk(root_, f.ino, 1, false, F_UNLCK, 40, 59, 111));
  EXPECT_OK(other->Setlk(root_, f.ino, 2, false, F_RDLCK, 45, 55, 222));
  EXPECT_ERRNO(other->Setlk(root_, f.ino, 2, false, F_RDLCK, 30, 45, 222), EAGAIN);
  EXPECT_ERRNO(other->Setlk(root_, f.ino, 2, false, F_RDLCK, 55, 60, 222), EAGAIN);
  // Read locks share; a write lock conflicts with them.
  ASSERT_OK(meta_->Setlk(root_, f.ino, 3, false, F_RDLCK, 45, 50, 111));
  EXPECT_ERRNO(meta_->Setlk(root_, f.ino, 4, false, F_WRLCK, 48, 48, 111), EAGAIN);
  type = F_WRLCK;
  start = 1000;
  end = 2000;
  ASSERT_OK(meta_->Getlk(root_, f.ino, 1, &type, &start, &end, &pid));
  EXPECT_EQ(type, F_UNLCK);
  // Blocking and interrupt.
  auto w = std::async(std::launch::async, [&] { return other->Setlk(root_, f.ino, 5, true, F_WRLCK, 0, 10, 5); });
  EXPECT_EQ(w.wait_for(200ms), std::future_status::timeout);
  ASSERT_OK(meta_->Setlk(root_, f.ino, 1, false, F_UNLCK, 0, UINT64_MAX, 111));
  EXPECT_OK(w.get());
  auto w2 = std::async(std::launch::async, [&] { return meta_->Setlk(root_, f.ino, 6, true, F_RDLCK, 0, 5, 6); });
  std::this_thread::sleep_for(100ms);
  meta_->InterruptLock(6);
  EXPECT_ERRNO(w2.get(), EINTR);
  EXPECT_ERRNO(meta_->Setlk(root_, f.ino, 1, false, F_WRLCK, 10, 5, 1), EINVAL);
}

class MetaTrashTest : public MetaTest {
  void Customize(VolumeFormat& f) override { f.trashDays = 1; }
};

TEST_P(MetaTrashTest, UnlinkMovesNodesIntoTheHourAndCleanerPurgesWholeHours) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  auto f = Must(meta_->Create(root_, d.ino, "f", 0644, 0, O_RDWR));
  ASSERT_OK(meta_->Close(f.ino));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 10, 0, 10}, 1));
  const int64_t now = MetaImpl::NowNs();
  ASSERT_OK(meta_->Unlink(root_, d.ino, "f"));
  EXPECT_ERRNO(meta_->Lookup(root_, d.ino, "f"), ENOENT);
  // .trash/YYYY-MM-DD-HH (UTC) holds "{parent}-{ino}-{name}".
  auto hour = Must(meta_->Lookup(root_, kTrashIno, TrashHourName(now)));
  EXPECT_TRUE(IsTrashDir(hour.ino));
  EXPECT_EQ(hour.attr.mode, 0555u);
  const std::string tname = std::to_string(d.ino) + "-" + std::to_string(f.ino) + "-f";
  auto t = Must(meta_->Lookup(root_, hour.ino, tname));
  EXPECT_EQ(t.ino, f.ino);
  EXPECT_EQ(t.attr.parent, hour.ino);
  EXPECT_EQ(t.attr.nlink, 1u);
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)).size(), 1u);  // data kept
  // Removed directories and symlinks go there too (rm -r can be undone).
  auto sub = Must(meta_->Mkdir(root_, d.ino, "sub", 0755, 0));
  ASSERT_OK(meta_->Rmdir(root_, d.ino, "sub"));
  auto ln = Must(meta_->Symlink(root_, d.ino, "ln", "x"));
  ASSERT_OK(meta_->Unlink(root_, d.ino, "ln"));
  EXPECT_EQ(Must(meta_->Readdir(root_, hour.ino, "", 100, false)).size(), 3u);
  EXPECT_EQ(Must(meta_->Lookup(root_, hour.ino, std::to_string(d.ino) + "-" + std::to_string(sub.ino) + "-sub")).attr.type,
            FileType::kDir);
  EXPECT_EQ(Must(meta_->Readlink(root_, ln.ino)), "x");
  EXPECT_EQ(Must(meta_->TrashHourDir(now)), hour.ino);  // idempotent
  CheckInvariants(meta_->kv());
  // Non-root users cannot write into the trash.
  EXPECT_ERRNO(meta_->Mknod(User(1000, 1000), kTrashIno, "x", S_IFREG | 0644, 0, 0), EACCES);
  EXPECT_ERRNO(meta_->Mknod(User(1000, 1000), hour.ino, "x", S_IFREG | 0644, 0, 0), EACCES);
  // ExpiredTrash counts what the cleaner would purge, without purging
  // (the three entries and their hour; bytes: the file's length).
  EXPECT_EQ(Must(meta_->ExpiredTrash(now)).entries, 0u);
  auto expired = Must(meta_->ExpiredTrash(now + 2 * 86400LL * 1000000000LL));
  EXPECT_EQ(expired.entries, 4u);
  EXPECT_EQ(expired.bytes, 10u);
  // The cleaner keeps young hours and purges old ones whole (3 entries and
  // the hour directory).
  EXPECT_EQ(Must(impl().CleanTrash(now)), 0);
  EXPECT_EQ(Must(impl().CleanTrash(now + 86400LL * 1000000000LL - 7200LL * 1000000000LL)), 0);
  EXPECT_EQ(Must(impl().CleanTrash(now + 2 * 86400LL * 1000000000LL)), 4);
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  EXPECT_ERRNO(meta_->GetAttr(root_, sub.ino), ENOENT);
  EXPECT_TRUE(Must(meta_->Readdir(root_, kTrashIno, "", 100, false)).empty());
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTrashTest, RestoreFromTrashByRename) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  const int64_t now = MetaImpl::NowNs();
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  const Ino hour = Must(meta_->Lookup(root_, kTrashIno, TrashHourName(now))).ino;
  const std::string tname = "1-" + std::to_string(f.ino) + "-f";
  ASSERT_OK(meta_->Rename(root_, hour, tname, kRootIno, "restored", 0));
  auto a = Must(meta_->Lookup(root_, kRootIno, "restored"));
  EXPECT_EQ(a.ino, f.ino);
  EXPECT_EQ(a.attr.parent, kRootIno);
  // Unlinking inside the trash deletes for real; hard links do not go to trash.
  Must(meta_->Link(root_, f.ino, kRootIno, "second"));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "second"));
  EXPECT_TRUE(Must(meta_->Readdir(root_, hour, "", 100, false)).empty());
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "restored"));
  const Ino hour2 = Must(meta_->TrashHourDir(MetaImpl::NowNs()));
  ASSERT_OK(meta_->Unlink(root_, hour2, "1-" + std::to_string(f.ino) + "-restored"));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  CheckInvariants(meta_->kv());
}

TEST(TrashHourNames, RoundTripAndRejectOthers) {
  EXPECT_EQ(TrashHourName(0), "1970-01-01-00");
  const int64_t t = 1796137200LL * 1000000000LL;  // 2026-12-01 15:00 UTC
  EXPECT_EQ(TrashHourName(t), "2026-12-01-15");
  EXPECT_EQ(ParseTrashHour("2026-12-01-15"), 1796137200LL / 3600);
  for (const char* bad : {"2026-12-01", "2026-13-01-00", "2026-12-01-24", "x026-12-01-15", "2026-12-01-15x", "1-2-f"}) {
    EXPECT_FALSE(ParseTrashHour(bad).has_value()) << bad;
  }
  EXPECT_EQ(TrashEntryName(1, 2, "f"), "1-2-f");
  EXPECT_EQ(TrashEntryName(1, 2, std::string(300, 'n')).size(), kMaxNameLen);
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaTrashTest, ::testing::ValuesIn(testing::EngineNames()),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
