// Conformance: files open in one session and unlinked (or renamed over) by
// another session of the same volume stay readable until the last holder
// closes them, then their data is freed; the same when the holder dies.
// Every test uses two or three Meta clients, each with its own KvStore on the
// same engine URL (separate connections on the server engines).
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "common/encoding.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

using namespace std::chrono_literals;

class SharedOpenTest : public MetaTest {
 protected:
  void SetUp() override {
    MetaTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    meta_->SetSliceDeleter(freedA_.fn());
    Must(meta_->NewSession(SessionInfo{"host-a", "/mnt/a", 1, "t"}));
  }
  // Another client with its own session (and deleter, so it may free data).
  std::unique_ptr<Meta> Client(const std::string& name, MetaOptions opts = {}) {
    opts.usageFlushMs = 60000;
    auto m = OpenClient(opts);
    m->SetSliceDeleter(freedOthers_.fn());
    Must(m->NewSession(SessionInfo{"host-" + name, "/mnt/" + name, 2, "t"}));
    return m;
  }
  // A file "name" in the root holding one 100-byte slice; returns (ino, slice).
  std::pair<Ino, uint64_t> FileWithData(const std::string& name) {
    auto f = Must(meta_->Create(root_, kRootIno, name, 0644, 0, O_RDWR));
    uint64_t s = Must(meta_->NewSliceId());
    Must(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 100, 0, 100}, 1));
    Must(meta_->Close(f.ino));
    Must(impl().FlushClosedFiles());
    return {f.ino, s};
  }
  // Runs the deletion worker of client A and reports whether slice s is freed.
  bool Freed(uint64_t s) {
    Must(impl().ProcessDeletions());
    return freedA_.count(s) + freedOthers_.count(s) > 0;
  }
  // Freed, allowing for another client's background thread that may have
  // taken the deletion record just before us and not yet called its deleter.
  bool FreedSoon(uint64_t s) {
    for (int i = 0; i < 500; i++) {
      if (Freed(s)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  static Meta& Impl(Meta& m) { return m; }
  bool HasSessionFile(Meta& holder, Ino ino) {
    return KeyExists(meta_->kv(), keys::SessionFile(holder.sessionId(), ino));
  }

  DeleterLog freedA_, freedOthers_;
};

TEST_P(SharedOpenTest, OpenOnBSurvivesUnlinkOnA) {
  auto b = Client("b");
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  EXPECT_TRUE(HasSessionFile(*b, ino)) << "the first open records SS{sid}{ino}";
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_ERRNO(meta_->Lookup(root_, kRootIno, "f"), ENOENT);
  EXPECT_EQ(Must(b->GetAttr(root_, ino)).nlink, 0u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, ino)).nlink, 0u);
  auto recs = Must(b->ReadChunk(ino, 0));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].id, s);
  EXPECT_FALSE(Freed(s)) << "data freed while open on B";
  CheckInvariants(meta_->kv());
  ASSERT_OK(b->Close(ino));
  EXPECT_ERRNO(b->GetAttr(root_, ino), ENOENT);
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
  EXPECT_FALSE(HasSessionFile(*b, ino));
  EXPECT_TRUE(FreedSoon(s)) << "data not freed after the last close";
  ASSERT_OK(impl().FlushUsage());
  ASSERT_OK(Impl(*b).FlushUsage());
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 0u);
  EXPECT_EQ(Must(meta_->StatFs(root_, kRootIno)).usedInodes, 0u);
}

TEST_P(SharedOpenTest, HolderThatDiesIsCleanedBySurvivor) {
  MetaOptions slow;
  slow.heartbeatSec = 3600;  // never beats during the test
  auto b = Client("b", slow);
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  Must(b->Open(root_, ino, O_RDONLY));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 0);
  EXPECT_EQ(Must(meta_->GetAttr(root_, ino)).nlink, 0u);
  // B "crashes": no Close, no CloseSession; its session expires.
  const uint64_t bsid = b->sessionId();
  ExpireSession(meta_->kv(), bsid);
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 1);
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::SessionFile(bsid, ino)));
  EXPECT_TRUE(FreedSoon(s));
  CheckInvariants(meta_->kv());
}

TEST_P(SharedOpenTest, DeadSessionReleasesFilesStillLinked) {
  MetaOptions slow;
  slow.heartbeatSec = 3600;
  auto b = Client("b", slow);
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  const uint64_t bsid = b->sessionId();
  ExpireSession(meta_->kv(), bsid);
  EXPECT_EQ(Must(meta_->CleanStaleSessions()), 1);
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::SessionFile(bsid, ino)));
  EXPECT_EQ(Must(meta_->GetAttr(root_, ino)).nlink, 1u) << "a linked file must survive its holder's death";
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT) << "nobody holds it any more";
  EXPECT_TRUE(FreedSoon(s));
}

TEST_P(SharedOpenTest, ReopenAfterUnlink) {
  auto b = Client("b");
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  // B opens the unlinked inode again (a second handle), and so does A.
  EXPECT_EQ(Must(b->Open(root_, ino, O_RDWR)).nlink, 0u);
  EXPECT_EQ(Must(meta_->Open(root_, ino, O_RDONLY)).nlink, 0u);
  EXPECT_TRUE(HasSessionFile(*meta_, ino));
  ASSERT_OK(b->Close(ino));
  ASSERT_OK(b->Close(ino));
  EXPECT_FALSE(HasSessionFile(*b, ino));
  EXPECT_EQ(Must(meta_->ReadChunk(ino, 0)).size(), 1u) << "A still holds it";
  EXPECT_FALSE(Freed(s));
  CheckInvariants(meta_->kv());
  ASSERT_OK(meta_->Close(ino));
  EXPECT_ERRNO(b->GetAttr(root_, ino), ENOENT);
  EXPECT_ERRNO(meta_->Open(root_, ino, O_RDONLY), ENOENT);
  EXPECT_TRUE(FreedSoon(s));
  CheckInvariants(meta_->kv());
}

TEST_P(SharedOpenTest, TwoSessionsBothHolding) {
  auto b = Client("b");
  auto c = Client("c");
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  Must(c->Open(root_, ino, O_RDWR));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  ASSERT_OK(b->Close(ino));
  EXPECT_EQ(Must(c->GetAttr(root_, ino)).nlink, 0u);
  uint64_t s2 = Must(c->NewSliceId());
  ASSERT_OK(c->WriteSlice(ino, 0, SliceRecord{100, s2, 50, 0, 50}, 2));  // C still writes
  EXPECT_EQ(Must(b->GetAttr(root_, ino)).length, 150u);
  EXPECT_FALSE(Freed(s));
  ASSERT_OK(c->Close(ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
  EXPECT_TRUE(FreedSoon(s));
  EXPECT_TRUE(FreedSoon(s2));
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 0u);
}

TEST_P(SharedOpenTest, RenameOverTargetOpenElsewhere) {
  auto b = Client("b");
  auto [target, s] = FileWithData("t");
  auto src = Must(meta_->Mknod(root_, kRootIno, "src", S_IFREG | 0644, 0, 0));
  Must(b->Open(root_, target, O_RDONLY));
  ASSERT_OK(meta_->Rename(root_, kRootIno, "src", kRootIno, "t", 0));
  EXPECT_EQ(Must(meta_->Lookup(root_, kRootIno, "t")).ino, src.ino);
  EXPECT_EQ(Must(b->GetAttr(root_, target)).nlink, 0u);
  EXPECT_EQ(Must(b->ReadChunk(target, 0)).size(), 1u);
  EXPECT_FALSE(Freed(s));
  CheckInvariants(meta_->kv());
  ASSERT_OK(b->Close(target));
  EXPECT_ERRNO(meta_->GetAttr(root_, target), ENOENT);
  EXPECT_TRUE(FreedSoon(s));
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 1u);
}

// A last close of a linked file leaves SS{sid}{ino} to a deferred batch; an
// unlink elsewhere in between must still see the holder, and the deferred
// removal must then free the file.
TEST_P(SharedOpenTest, DeferredCloseStillProtectsAndThenFrees) {
  auto b = Client("b");
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  ASSERT_OK(b->Close(ino));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  if (HasSessionFile(*b, ino)) {  // the removal is still pending
    EXPECT_EQ(Must(meta_->GetAttr(root_, ino)).nlink, 0u);
  }
  ASSERT_OK(Impl(*b).FlushClosedFiles());
  EXPECT_FALSE(HasSessionFile(*b, ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
  EXPECT_TRUE(FreedSoon(s));
  // A reopen after a close in the same session works and is recorded again.
  auto [g, gs] = FileWithData("g");
  Must(b->Open(root_, g, O_RDONLY));
  ASSERT_OK(b->Close(g));
  Must(b->Open(root_, g, O_RDONLY));
  ASSERT_OK(Impl(*b).FlushClosedFiles());
  EXPECT_TRUE(HasSessionFile(*b, g));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "g"));
  EXPECT_EQ(Must(b->ReadChunk(g, 0)).size(), 1u);
  ASSERT_OK(b->CloseSession());
  EXPECT_ERRNO(meta_->GetAttr(root_, g), ENOENT);
  EXPECT_TRUE(FreedSoon(gs));
}

TEST_P(SharedOpenTest, ReadOnlySessionIsRegisteredAndProtects) {
  MetaOptions ro;
  ro.readOnly = true;
  ro.heartbeatSec = 1;
  auto b = Client("ro", ro);
  ASSERT_NE(b->sessionId(), 0u);
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  EXPECT_ERRNO(b->Open(root_, ino, O_RDWR), EROFS);
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_EQ(Must(b->ReadChunk(ino, 0)).size(), 1u);
  // It heartbeats like any session.
  auto beat = [&] {
    for (const auto& r : Must(meta_->ListSessions()))
      if (r.sid == b->sessionId()) return r;
    return SessionRecord{};
  };
  SessionRecord r0 = beat();
  EXPECT_TRUE(r0.info.readOnly);
  EXPECT_EQ(r0.info.hostname, "host-ro");
  bool advanced = false;
  for (int i = 0; i < 40 && !advanced; i++) {
    std::this_thread::sleep_for(100ms);
    advanced = beat().lastHeartbeatSec > r0.lastHeartbeatSec;
  }
  EXPECT_TRUE(advanced) << "read-only session does not heartbeat";
  ASSERT_OK(b->Close(ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
  EXPECT_TRUE(FreedSoon(s));
  ASSERT_OK(Impl(*b).FlushUsage());
  ASSERT_OK(impl().FlushUsage());
  EXPECT_EQ(Must(meta_->StatFs(root_, kRootIno)).usedInodes, 0u);
}

// A session taken for dead while it still runs (its keys removed by a
// cleaner) notices at its next heartbeat, registers again and records its
// open files again, so they are protected from then on.
TEST_P(SharedOpenTest, SessionCleanedWhileAliveRegistersAgain) {
  MetaOptions fast;
  fast.heartbeatSec = 1;
  auto b = Client("b", fast);
  auto [ino, s] = FileWithData("f");
  Must(b->Open(root_, ino, O_RDONLY));
  const uint64_t bsid = b->sessionId();
  Must(meta_->kv().txn([&](KvTxn& tx) -> Status {  // what CleanStaleSessions removes
    tx.del(keys::SessionExpire(bsid));
    tx.del(keys::SessionInfo(bsid));
    tx.del(keys::SessionFile(bsid, ino));
    return Status::OK();
  }));
  bool back = false;
  for (int i = 0; i < 40 && !back; i++) {
    std::this_thread::sleep_for(100ms);
    back = KeyExists(meta_->kv(), keys::SessionFile(bsid, ino));
  }
  ASSERT_TRUE(back) << "the open file was not recorded again";
  EXPECT_TRUE(KeyExists(meta_->kv(), keys::SessionExpire(bsid)));
  EXPECT_TRUE(KeyExists(meta_->kv(), keys::SessionInfo(bsid)));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_EQ(Must(b->ReadChunk(ino, 0)).size(), 1u);
  EXPECT_FALSE(Freed(s));
  ASSERT_OK(b->Close(ino));
  EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT);
}

// Open on B races unlink on A: whichever commits first, an open that
// succeeded keeps the file readable until its close, and nothing leaks.
TEST_P(SharedOpenTest, OpenRacesUnlink) {
  auto b = Client("b");
  const unsigned seed = std::random_device{}();
  std::printf("OpenRacesUnlink seed %u\n", seed);
  std::mt19937 rng(seed);
  const int rounds = GetParam() == "etcd" || GetParam() == "postgres" ? 15 : 30;
  int opened = 0;
  for (int i = 0; i < rounds; i++) {
    const std::string name = "r" + std::to_string(i);
    auto [ino, s] = FileWithData(name);
    // Either side starts up to 300 us late, so both orders happen.
    const int openDelayUs = static_cast<int>(rng() % 300), unlinkDelayUs = static_cast<int>(rng() % 300);
    std::atomic<bool> go{false};
    Result<Attr> got = Err(EIO, "not run");
    std::thread t([&] {
      while (!go.load()) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::microseconds(openDelayUs));
      got = b->Open(root_, ino, O_RDONLY);
    });
    go = true;
    std::this_thread::sleep_for(std::chrono::microseconds(unlinkDelayUs));
    Status un = meta_->Unlink(root_, kRootIno, name);
    t.join();
    ASSERT_OK(un);
    if (got) {
      opened++;
      EXPECT_EQ(Must(b->ReadChunk(ino, 0)).size(), 1u) << "round " << i;
      EXPECT_EQ(Must(meta_->GetAttr(root_, ino)).nlink, 0u) << "round " << i;
      EXPECT_FALSE(Freed(s)) << "round " << i;
      ASSERT_OK(b->Close(ino));
    } else {
      EXPECT_EQ(got.error().code(), ENOENT) << got.error().ToString();
    }
    EXPECT_ERRNO(meta_->GetAttr(root_, ino), ENOENT) << "round " << i;
    EXPECT_TRUE(FreedSoon(s)) << "round " << i;
  }
  std::printf("OpenRacesUnlink: %d of %d opens won\n", opened, rounds);
  ASSERT_OK(Impl(*b).FlushClosedFiles());
  EXPECT_EQ(CheckInvariants(meta_->kv()).inodes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, SharedOpenTest, ::testing::ValuesIn(testing::EngineNames()),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
