// Sessions of several mounts: `slicefs status` lists every live mount
// (read-only ones too) and drops one that unmounted; mounts killed with -9
// while holding locks and unlinked-but-open files (a read-only mount among
// them) lose them once their sessions expire, so the survivor can take the
// locks and the files' objects are freed.
#include <sys/file.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "multi/multi_env.h"

namespace slicefs::testing {
namespace {

class MultiSessions : public MultiMountTest {
 protected:
  // The "Sessions" array of `slicefs status`; fails the test on bad output.
  nlohmann::json Sessions() {
    std::string out;
    int rc = RunSlicefs({"status", url_}, &out);
    EXPECT_EQ(rc, 0) << out;
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("Sessions") && j["Sessions"].is_array()) << out;
    if (!j.is_object() || !j.contains("Sessions") || !j["Sessions"].is_array()) return nlohmann::json::array();
    return j["Sessions"];
  }
  // The session whose mountPoint is m's, or null.
  static nlohmann::json Find(const nlohmann::json& sessions, const TestMount& m) {
    for (const auto& s : sessions) {
      if (s.value("mountPoint", "") == m.path()) return s;
    }
    return nullptr;
  }
};

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TEST_P(MultiSessions, StatusListsEveryMountAndDropsAnUnmountedOne) {
  const int64_t t0 = time(nullptr);
  MOUNT_OR_RETURN(a);
  MOUNT_OR_RETURN(b);
  auto sessions = Sessions();
  EXPECT_EQ(sessions.size(), 2u) << sessions.dump(2);
  int64_t firstBeat[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    const TestMount& m = i == 0 ? *a : *b;
    auto s = Find(sessions, m);
    ASSERT_FALSE(s.is_null()) << "no session for " << m.path() << " in " << sessions.dump(2);
    EXPECT_EQ(s.value("hostname", ""), Hostname());
    EXPECT_EQ(s.value("processId", 0), m.pid()) << "pid of " << m.path();
    EXPECT_FALSE(s.value("readOnly", true));
    EXPECT_FALSE(s.value("stale", true));
    firstBeat[i] = s.value("heartbeat", int64_t{0});
    EXPECT_GE(firstBeat[i], t0 - 1) << s.dump();
    EXPECT_LE(firstBeat[i], time(nullptr) + 1) << s.dump();
  }
  EXPECT_NE(Find(sessions, *a).value("sid", 0), Find(sessions, *b).value("sid", 0));
  // Both keep beating (1 s): their last heartbeat moves on.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto now = Sessions();
        return Find(now, *a).value("heartbeat", int64_t{0}) > firstBeat[0] &&
               Find(now, *b).value("heartbeat", int64_t{0}) > firstBeat[1];
      },
      5s))
      << "heartbeats do not advance: " << Sessions().dump(2);
  // A read-only mount is listed too, as such.
  MOUNT_OR_RETURN(ro, {"--read-only"});
  sessions = Sessions();
  EXPECT_EQ(sessions.size(), 3u) << sessions.dump(2);
  EXPECT_TRUE(Find(sessions, *ro).value("readOnly", false)) << sessions.dump(2);
  EXPECT_EQ(Find(sessions, *ro).value("processId", 0), ro->pid());
  ASSERT_TRUE(b->Unmount().ok());
  sessions = Sessions();
  EXPECT_EQ(sessions.size(), 2u) << sessions.dump(2);
  EXPECT_FALSE(Find(sessions, *a).is_null());
  EXPECT_FALSE(Find(sessions, *ro).is_null());
  EXPECT_TRUE(Find(sessions, *b).is_null()) << "unmounted session still listed";
}

TEST_P(MultiSessions, KilledMountsLocksAndOpenFilesAreReleasedWhenTheirSessionsExpire) {
  MOUNT_OR_RETURN(a);                    // the survivor
  MOUNT_OR_RETURN(b);                    // a victim
  MOUNT_OR_RETURN(ro, {"--read-only"});  // a read-only victim: its open files are protected too
  ASSERT_TRUE(WriteFile(*a / "flk", "f"));
  ASSERT_TRUE(WriteFile(*a / "plk", "p"));
  const int others = CountChunkObjects(*a);
  // u is unlinked by B itself, v by A, while B has both open; w is open on
  // the read-only mount when A unlinks it: 3 + 2 + 1 objects.
  const std::string data = Pattern((2u << 20) + 99, 5), data2 = Pattern((1u << 20) + 1, 6);
  const std::string data3 = Pattern(300000, 7);
  ASSERT_TRUE(WriteFile(*a / "u", data));
  ASSERT_TRUE(WriteFile(*a / "v", data2));
  ASSERT_TRUE(WriteFile(*a / "w", data3));
  ASSERT_EQ(CountChunkObjects(*a), others + 6);
  ASSERT_TRUE(WaitFor([&] { return Stat(*b / "u").st_size == static_cast<off_t>(data.size()) && Stat(*b / "v").st_ino; },
                      kCacheTimeout + 3s));
  ASSERT_TRUE(WaitFor([&] { return Stat(*ro / "w").st_ino != 0; }, kCacheTimeout + 3s));
  ChildProcess roHolder([&](ChildProcess& c) {
    int w = open((*ro / "w").c_str(), O_RDONLY);
    if (w < 0) return 1;
    std::string buf(data3.size(), '\0');
    c.Report(pread(w, buf.data(), 1000, 0) == 1000 ? 0 : errno);
    c.Wait();  // A unlinks w
    c.Report(pread(w, buf.data(), buf.size(), 0) == static_cast<ssize_t>(buf.size()) && buf == data3 ? 0 : EIO);
    c.Wait();
    return 0;
  });
  ASSERT_EQ(roHolder.Next(10s), 0) << "read on the read-only mount";
  ASSERT_EQ(unlink((*a / "w").c_str()), 0);

  // A process on B takes a flock and an fcntl lock and keeps two unlinked
  // files open.
  ChildProcess holder([&](ChildProcess& c) {
    int f = open((*b / "flk").c_str(), O_RDWR);
    int p = open((*b / "plk").c_str(), O_RDWR);
    int u = open((*b / "u").c_str(), O_RDONLY);
    int v = open((*b / "v").c_str(), O_RDONLY);
    if (f < 0 || p < 0 || u < 0 || v < 0) return 1;
    c.Report(flock(f, LOCK_EX) == 0 ? 0 : errno);
    c.Report(SetLk(p, F_WRLCK, 0, 0) == 0 ? 0 : errno);
    c.Report(unlink((*b / "u").c_str()) == 0 ? 0 : errno);
    char ch;
    c.Report(pread(u, &ch, 1, 0) == 1 ? 0 : errno);
    c.Wait();  // A unlinks v
    c.Report(pread(v, &ch, 1, 1u << 20) == 1 ? 0 : errno);
    c.Wait();
    return 0;
  });
  for (const char* what : {"flock", "fcntl", "unlink", "read"}) ASSERT_EQ(holder.Next(10s), 0) << what << " on B";
  ASSERT_EQ(unlink((*a / "v").c_str()), 0);
  holder.Go();
  ASSERT_EQ(holder.Next(10s), 0) << "read on B of a file A unlinked";
  std::this_thread::sleep_for(500ms);  // time for a wrong implementation to delete w's object
  roHolder.Go();
  ASSERT_EQ(roHolder.Next(10s), 0) << "read on the read-only mount of a file A unlinked";

  // The survivor: non-blocking attempts fail now; then it waits for both.
  auto takeover = [&](ChildProcess& c) {
    int f = open((*a / "flk").c_str(), O_RDWR);
    int p = open((*a / "plk").c_str(), O_RDWR);
    if (f < 0 || p < 0) return 1;
    c.Report(flock(f, LOCK_EX | LOCK_NB) == 0 ? 0 : errno);
    c.Report(SetLk(p, F_WRLCK, 0, 0) == 0 ? 0 : errno);
    c.Wait();
    c.Report(flock(f, LOCK_EX) == 0 ? 0 : errno);
    c.Report(SetLk(p, F_WRLCK, 0, 0, /*wait=*/true) == 0 ? 0 : errno);
    c.Wait();
    return 0;
  };
  ChildProcess survivor(takeover);
  EXPECT_EQ(survivor.Next(10s), EWOULDBLOCK) << "flock on A granted while B holds it";
  auto e = survivor.Next(10s);
  EXPECT_TRUE(e == EAGAIN || e == EACCES) << "fcntl lock on A granted while B holds it";
  EXPECT_TRUE(WaitFor([&] { return Stat(*a / "u").st_ino == 0; }, kCacheTimeout + 3s));
  EXPECT_FALSE(WaitFor([&] { return CountChunkObjects(*a) < others + 6; }, 1s))
      << "objects of files open on B or on the read-only mount deleted";

  const auto crashed = std::chrono::steady_clock::now();
  ASSERT_TRUE(b->Crash().ok());
  ASSERT_TRUE(ro->Crash().ok());
  holder.Kill();  // their descriptors belonged to the dead mounts
  roHolder.Kill();
  survivor.Go();
  // The victims' sessions expire 5 heartbeats (5 s) after their last beat;
  // A scans for expired sessions every heartbeat.
  constexpr auto kTakeover = 20s;
  EXPECT_EQ(survivor.Next(kTakeover), 0) << "flock of the killed mount never released";
  EXPECT_EQ(survivor.Next(kTakeover), 0) << "fcntl lock of the killed mount never released";
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - crashed);
  std::fprintf(stderr, "[multi] locks taken over %lld ms after the crash\n", static_cast<long long>(took.count()));
  EXPECT_TRUE(WaitFor([&] { return CountChunkObjects(*a) == others; }, kTakeover))
      << CountChunkObjects(*a) - others << " objects of the killed mounts' open-unlinked files left";
  EXPECT_TRUE(WaitFor(
      [&] {
        auto now = Sessions();
        return Find(now, *b).is_null() && Find(now, *ro).is_null();
      },
      5s))
      << "dead session still listed: " << Sessions().dump(2);
  auto sessions = Sessions();
  EXPECT_EQ(sessions.size(), 1u) << sessions.dump(2);
  EXPECT_FALSE(Find(sessions, *a).is_null());
  survivor.Go();
  EXPECT_EQ(survivor.Join(10s), 0);
}

INSTANTIATE_MULTI_SUITE(MultiSessions);

}  // namespace
}  // namespace slicefs::testing
