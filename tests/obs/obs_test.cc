// Observability of a real mount: per-op FUSE metrics count real system
// calls; the hidden root files .stats, .accesslog and .config; and the
// `stats`, `profile` and `debug` commands on a live mount.
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "mount/mount_util.h"
#include "obs/obs_util.h"
#include "support/assert.h"
#include "support/child_process.h"

namespace slicefs::testing {
namespace {

constexpr uint64_t kFirstInternalIno = 0x7FFFFFFF00000001ULL;
const char* const kInternal[] = {".stats", ".accesslog", ".config"};

TEST(ObsMetrics, PerOpCountsAndErrorsMatchSystemCalls) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount({"--metrics", "127.0.0.1:" + std::to_string(FreePort())}));
  const double mk0 = OpCount(m, "mkdir");
  ASSERT_GE(mk0, 0) << ReadFile(m / ".stats");
  const int n = 25;
  for (int i = 0; i < n; i++) ASSERT_EQ(::mkdir((m / ("d" + std::to_string(i))).c_str(), 0755), 0);
  EXPECT_EQ(OpCount(m, "mkdir") - mk0, n);

  // rmdir of a non-empty directory reaches the file system and fails there.
  ASSERT_TRUE(WriteFile(m / "d0/f", "x"));
  const std::string errors = "slicefs_fuse_op_errors_total{op=\"rmdir\"}";
  const double e0 = StatValue(ReadFile(m / ".stats"), errors);
  const double rm0 = OpCount(m, "rmdir");
  const int k = 7;
  for (int i = 0; i < k; i++) {
    ASSERT_NE(::rmdir((m / "d0").c_str()), 0);
    ASSERT_EQ(errno, ENOTEMPTY);
  }
  const std::string after = ReadFile(m / ".stats");
  EXPECT_EQ(StatValue(after, errors) - e0, k);
  EXPECT_EQ(OpCount(m, "rmdir") - rm0, k);
  EXPECT_GT(StatValue(after, "slicefs_fuse_op_duration_seconds_sum{op=\"mkdir\"}"), 0);
  ASSERT_OK(m.Unmount());
}

TEST(ObsMetrics, NoMetricsSkipsTheTimingButKeepsStats) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount({"--no-metrics"}));
  ASSERT_EQ(::mkdir((m / "d").c_str(), 0755), 0);
  const std::string s = ReadFile(m / ".stats");
  EXPECT_EQ(s.find("slicefs_fuse_op"), std::string::npos) << s;
  EXPECT_GT(StatValue(s, "process_resident_memory_bytes"), 0) << s;
  EXPECT_GE(StatValue(s, "slicefs_buffer_limit_bytes"), 0) << s;
  ASSERT_OK(m.Unmount());
}

TEST(ObsInternalFiles, HiddenFromReaddirStatableAndReserved) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  ASSERT_TRUE(WriteFile(m / "visible", "v"));
  auto names = DirNames(m.path());
  EXPECT_EQ(names, (std::vector<std::string>{"visible"})) << "readdir shows internal files";
  std::set<ino_t> inos;
  for (const char* f : kInternal) {
    struct stat st;
    ASSERT_EQ(::stat((m / f).c_str(), &st), 0) << f;
    EXPECT_TRUE(S_ISREG(st.st_mode)) << f;
    EXPECT_GE(st.st_ino, kFirstInternalIno) << f;
    EXPECT_LT(st.st_ino, kFirstInternalIno + 3) << f;
    inos.insert(st.st_ino);
    // Writing, creating, removing and renaming are refused.
    errno = 0;
    EXPECT_LT(::open((m / f).c_str(), O_WRONLY), 0) << f;
    EXPECT_EQ(errno, EACCES) << f;
    EXPECT_LT(::open((m / f).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), 0) << f;
    EXPECT_EQ(errno, EEXIST) << f;
    EXPECT_NE(::mkdir((m / f).c_str(), 0755), 0);
    EXPECT_EQ(errno, EEXIST) << f;
    EXPECT_NE(::unlink((m / f).c_str()), 0);
    EXPECT_EQ(errno, EPERM) << f;
    EXPECT_NE(::rename((m / "visible").c_str(), (m / f).c_str()), 0);
    EXPECT_EQ(errno, EPERM) << f;
    EXPECT_NE(::rename((m / f).c_str(), (m / "elsewhere").c_str()), 0);
    EXPECT_EQ(errno, EPERM) << f;
  }
  EXPECT_EQ(inos.size(), 3u);
  // Only the root reserves the names.
  ASSERT_EQ(::mkdir((m / "sub").c_str(), 0755), 0);
  EXPECT_TRUE(WriteFile(m / "sub/.stats", "mine"));
  EXPECT_EQ(ReadFile(m / "sub/.stats"), "mine");

  // .stats is fresh at every open.
  const std::string s1 = ReadFile(m / ".stats");
  ASSERT_FALSE(s1.empty());
  for (int i = 0; i < 3; i++) ASSERT_EQ(::mkdir((m / ("x" + std::to_string(i))).c_str(), 0755), 0);
  const std::string mk = "slicefs_fuse_op_duration_seconds_count{op=\"mkdir\"}";
  // A request is counted just after its reply goes out, so the last mkdir
  // may be counted a moment after it returned: read until it is (2 s).
  std::string s2 = ReadFile(m / ".stats");
  for (int i = 0; i < 200 && StatValue(s2, mk) - StatValue(s1, mk) < 3; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s2 = ReadFile(m / ".stats");
  }
  EXPECT_EQ(StatValue(s2, mk) - StatValue(s1, mk), 3);
  ASSERT_OK(m.Unmount());
}

TEST(ObsConfig, EffectiveOptionsWithoutSecrets) {
  REQUIRE_FUSE();
  const std::string secret = "TopSecret-1201-xyz";
  VolumeSpec spec;
  spec.formatArgs = {"--trash-days", "0", "--access-key", "AKIDOBS", "--secret-key", secret};
  TestMount m(spec);
  ASSERT_OK(m.Mount({"--buffer-size", "123M"}));
  const std::string text = ReadFile(m / ".config");
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  auto j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_TRUE(j.is_object()) << text;
  EXPECT_EQ(j["mountpoint"], m.path());
  EXPECT_EQ(j["buffer_size"], "123M");
  EXPECT_EQ(j["pid"], m.pid());
  EXPECT_EQ(j["format"]["name"], "testvol");
  EXPECT_EQ(j["format"]["accessKey"], "AKIDOBS");
  EXPECT_NE(j["format"]["secretKey"], secret);
  struct stat st;
  ASSERT_EQ(::stat((m / ".config").c_str(), &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), text.size());
  ASSERT_OK(m.Unmount());
}

// A user's operations, in order, as both readers see them.
TEST(ObsAccessLog, TwoReadersSeeEveryOperationWithTheCallersIds) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  ASSERT_EQ(::mkdir((m / "work").c_str(), 0777), 0);
  ASSERT_EQ(::chmod((m / "work").c_str(), 0777), 0);
  struct stat ws;
  ASSERT_EQ(::stat((m / "work").c_str(), &ws), 0);
  LogReader r1(m / ".accesslog"), r2(m / ".accesslog");
  ASSERT_TRUE(r1.ok() && r2.ok());
  const std::string work = m / "work";
  ChildProcess user([&](ChildProcess& c) {
    if (setgroups(0, nullptr) != 0 || setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0) {
      c.Report(1);
      return 1;
    }
    int rc = ::mkdir((work + "/d").c_str(), 0755) == 0 ? 0 : 10;
    int fd = ::open((work + "/d/f").c_str(), O_CREAT | O_WRONLY, 0644);
    if (fd < 0 || ::write(fd, "hello", 5) != 5 || ::close(fd) != 0) rc = 11;
    if (::unlink((work + "/d/f").c_str()) != 0) rc = 12;
    if (::rmdir((work + "/d").c_str()) != 0) rc = 13;
    c.Report(rc);
    return 0;
  });
  ASSERT_EQ(user.Next(std::chrono::seconds(20)), 0);
  const std::string who = "[uid:1000,gid:1000,pid:" + std::to_string(user.pid()) + "] ";
  const std::string ino = std::to_string(ws.st_ino);
  const std::vector<std::vector<std::string>> expected = {
      {who + "mkdir (" + ino + ",d,", "): OK <"}, {who + "create (", ",f,", "): OK <"},
      {who + "write (", ",5,0): OK (5) <"},      {who + "flush (", "): OK <"},
      {who + "unlink (", ",f): OK <"},          {who + "rmdir (" + ino + ",d): OK <"}};
  auto poke = [&] { struct stat st; ::stat((m / "work").c_str(), &st); };
  for (LogReader* r : {&r1, &r2}) {
    // A line is appended after its reply went out, so the user's next
    // request can be logged first by another thread: wait for every line.
    for (auto& e : expected) ASSERT_TRUE(r->WaitFor(e[0], poke)) << e[0] << "\n" << r->text();
    ASSERT_TRUE(r->WaitFor(who + "rmdir (" + ino + ",d): OK", poke)) << r->text();
    // Lines are appended when a request is answered (another thread may
    // append first), but stamped with its arrival: in time order, the
    // user's requests come in the order it made them.
    const std::string t = r->text();
    std::string last;
    for (auto& e : expected) {
      std::string found;
      for (auto& line : LinesWith(t, e)) {
        if (line.substr(0, 26) >= last) {
          found = line.substr(0, 26);
          break;
        }
      }
      ASSERT_FALSE(found.empty()) << "missing, or out of order: " << e[0] << "\n" << t;
      last = found;
    }
    // Every line of that process carries its ids.
    for (auto& line : LinesWith(t, {"pid:" + std::to_string(user.pid()) + "]"})) {
      EXPECT_NE(line.find(who), std::string::npos) << line;
    }
  }
}

TEST(ObsAccessLog, NothingBeforeOpenAndNothingAboutInternalFiles) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  ASSERT_EQ(::mkdir((m / "before-open").c_str(), 0755), 0);
  LogReader r(m / ".accesslog");
  ASSERT_TRUE(r.ok());
  ReadFile(m / ".stats");
  ReadFile(m / ".config");
  ASSERT_EQ(::mkdir((m / "after-open").c_str(), 0755), 0);
  ASSERT_TRUE(r.WaitFor(",after-open,"));
  const std::string t = r.text();
  EXPECT_EQ(t.find("before-open"), std::string::npos) << t;
  for (uint64_t ino = kFirstInternalIno; ino < kFirstInternalIno + 3; ino++) {
    EXPECT_EQ(t.find("(" + std::to_string(ino)), std::string::npos) << t;
  }
  EXPECT_EQ(t.find(".stats"), std::string::npos) << t;
}

TEST(ObsAccessLog, ASlowReaderDoesNotBlockTheFileSystem) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  ASSERT_TRUE(WriteFile(m / "f", "x"));
  int slow = ::open((m / ".accesslog").c_str(), O_RDONLY);
  ASSERT_GE(slow, 0);
  // ~3 lines of ~100 bytes per open/close: well past the 4 MiB per reader.
  const auto t0 = std::chrono::steady_clock::now();
  const int n = 20000;
  for (int i = 0; i < n; i++) {
    int fd = ::open((m / "f").c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 120) << "the workload waited for the reader";
  const double dropped = StatValue(ReadFile(m / ".stats"), "slicefs_accesslog_dropped_lines_total");
  EXPECT_GT(dropped, 0);
  // The reader gets what fit, then the notice of what it missed.
  std::string got;
  char buf[1 << 16];
  while (got.find("#dropped ") == std::string::npos && got.size() < (8u << 20)) {
    ssize_t k = ::read(slow, buf, sizeof buf);
    ASSERT_GT(k, 0);
    got.append(buf, k);
  }
  EXPECT_NE(got.find("#dropped "), std::string::npos);
  EXPECT_GT(got.size(), 3u << 20);
  EXPECT_NE(got.find("] open ("), std::string::npos);
  ::close(slow);
  ASSERT_OK(m.Unmount());
}

// ---- the commands -----------------------------------------------------------

// Creates, writes, reads and removes files in the mount until destroyed
// (at most 100 at a time).
class Workload {
 public:
  explicit Workload(const std::string& dir) : dir_(dir) {
    ::mkdir(dir.c_str(), 0755);
    t_ = std::thread([this] {
      for (int i = 0; !stop_; i++) {
        std::string p = dir_ + "/w" + std::to_string(i);
        WriteFile(p, std::string(4096, 'w'));
        ReadFile(p);
        if (i >= 100) ::unlink((dir_ + "/w" + std::to_string(i - 100)).c_str());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  ~Workload() {
    stop_ = true;
    t_.join();
  }

 private:
  std::string dir_;
  std::atomic<bool> stop_{false};
  std::thread t_;
};

TEST(ObsCli, StatsShowsColumnsAndLiveFigures) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  std::string out;
  {
    Workload w(m / "load");
    ASSERT_EQ(RunSlicefs({"stats", m.path(), "--interval", "0.5", "--count", "3"}, &out), 0) << out;
  }
  for (const char* col : {"fuse", "meta", "object", "cache", "buffer", "process", "ops", "lat", "txn", "put",
                          "hit%", "cpu%", "rss"}) {
    EXPECT_NE(out.find(col), std::string::npos) << col << "\n" << out;
  }
  EXPECT_EQ(out.find("\033["), std::string::npos) << "colour without a terminal";
  std::istringstream in(out);
  std::string line;
  int rows = 0, busy = 0;
  while (std::getline(in, line)) {
    if (line.find("--") != std::string::npos || line.find("ops") != std::string::npos) continue;
    rows++;
    double ops = std::strtod(line.c_str(), nullptr);
    if (ops > 0) busy++;
  }
  EXPECT_EQ(rows, 3) << out;
  EXPECT_GE(busy, 2) << out;
  ASSERT_EQ(RunSlicefs({"stats", m.path(), "--verbosity", "1", "--count", "1", "--interval", "0.2"}, &out), 0);
  EXPECT_NE(out.find("getattr"), std::string::npos) << out;
  EXPECT_NE(out.find("confl"), std::string::npos) << out;

  TempDir plain;
  EXPECT_EQ(RunSlicefs({"stats", plain.path(), "--count", "1"}, &out), 1);
  EXPECT_NE(out.find("not inside a slicefs mount"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  ASSERT_OK(m.Unmount());
}

// Inside a mount, bench adds what the mount did during the run.
TEST(ObsCli, BenchShowsTheMountsOperations) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  std::string out;
  ASSERT_EQ(RunSlicefs({"bench", m.path(), "--big-file-size", "8M", "--small-file-count", "20"}, &out), 0) << out;
  for (const char* row : {"| FUSE operation", "| Update meta", "| Put object"}) {
    auto lines = LinesWith(out, {row});
    ASSERT_EQ(lines.size(), 1u) << row << "\n" << out;
    EXPECT_NE(lines[0].find(" operations |"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(" ms/op |"), std::string::npos) << lines[0];
  }
  TempDir plain;
  ASSERT_EQ(RunSlicefs({"bench", plain.path(), "--big-file-size", "1M", "--small-file-count", "2"}, &out), 0) << out;
  EXPECT_EQ(out.find("FUSE operation"), std::string::npos) << out;
  ASSERT_OK(m.Unmount());
}

TEST(ObsCli, ProfileLiveAndFromASavedLog) {
  REQUIRE_FUSE();
  TestMount m;
  ASSERT_OK(m.Mount());
  std::string out, saved;
  {
    Workload w(m / "load");
    LogReader r(m / ".accesslog");
    ASSERT_EQ(RunSlicefs({"profile", m.path(), "--interval", "1", "--count", "1"}, &out), 0) << out;
    ASSERT_TRUE(r.WaitFor("create ("));
    saved = r.text();
  }
  for (const char* s : {"OPERATION", "PROCESS", "USER", "create", "write", "COUNT", "TOTAL(s)"}) {
    EXPECT_NE(out.find(s), std::string::npos) << s << "\n" << out;
  }
  auto lines = LinesWith(out, {"  create "});
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_GT(std::strtoull(lines[0].c_str() + 25, nullptr, 10), 0u) << lines[0];
  // The workload thread of this process did the creates (the kernel reports
  // the calling thread's id).
  EXPECT_FALSE(LinesWith(out, {" (obs_tests) "}).empty()) << out;
  auto creates = LinesWith(saved, {"] create ("});
  ASSERT_FALSE(creates.empty());
  const size_t p0 = creates[0].find(",pid:") + 5;
  const std::string pid = creates[0].substr(p0, creates[0].find(']', p0) - p0);

  const std::string file = m.dir() + "/saved.log";
  {
    std::ofstream f(file);
    f << saved;
  }
  ASSERT_EQ(RunSlicefs({"profile", file}, &out), 0) << out;
  EXPECT_NE(out.find("create"), std::string::npos) << out;
  EXPECT_EQ(out.find(" 0 operations"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"profile", file, "--uid", "4242"}, &out), 0) << out;
  EXPECT_NE(out.find(": 0 operations"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"profile", file, "--pid", pid}, &out), 0) << out;
  EXPECT_EQ(out.find(": 0 operations"), std::string::npos) << out;
  // Not an access log; not a mount.
  ASSERT_TRUE(WriteFile(m.dir() + "/junk.txt", "hello\nworld\n"));
  EXPECT_EQ(RunSlicefs({"profile", m.dir() + "/junk.txt"}, &out), 1);
  EXPECT_NE(out.find("no access-log lines"), std::string::npos) << out;
  EXPECT_EQ(RunSlicefs({"profile", m.dir()}, &out), 1);
  EXPECT_NE(out.find("not inside a slicefs mount"), std::string::npos) << out;
  ASSERT_OK(m.Unmount());
}

TEST(ObsCli, DebugCollectsOneArchiveWithoutSecrets) {
  REQUIRE_FUSE();
  const std::string secret = "DebugSecret-9931";
  VolumeSpec spec;
  spec.formatArgs = {"--trash-days", "0", "--secret-key", secret};
  TestMount m(spec);
  ASSERT_OK(m.Mount());  // TestMount mounts with --log
  std::string out;
  {
    Workload w(m / "load");
    ASSERT_EQ(RunSlicefs({"debug", m.path(), "--stats-sec", "1", "--out-dir", m.dir() + "/out"}, &out), 0) << out;
  }
  auto archive = ShellOutput("ls " + m.dir() + "/out/slicefs-debug-*.tar.gz");
  ASSERT_OK(archive);
  auto list = ShellOutput("tar tzf " + *archive);
  ASSERT_OK(list);
  for (const char* f : {"system.txt", "config.json", "stats-before.txt", "stats-after.txt", "accesslog.txt",
                        "cmdline.txt", "status.txt", "stacks.txt", "log-tail.txt", "volume-status.txt"}) {
    EXPECT_NE(list->find(std::string("/") + f), std::string::npos) << f << "\n" << *list;
  }
  auto all = ShellOutput("tar xzOf " + *archive);
  ASSERT_OK(all);
  EXPECT_EQ(all->find(secret), std::string::npos);
  EXPECT_NE(all->find("slicefs_fuse_op_duration_seconds_count"), std::string::npos);
  EXPECT_NE(all->find("] create ("), std::string::npos) << "no access log in the archive";
  EXPECT_NE(all->find("Threads:"), std::string::npos) << "no /proc status";
  EXPECT_NE(all->find("fuse init"), std::string::npos) << "no log tail";
  EXPECT_NE(all->find(": reachable"), std::string::npos) << "metadata engine not checked";
  EXPECT_EQ(RunSlicefs({"debug", m.dir(), "--stats-sec", "0"}, &out), 1);
  EXPECT_NE(out.find("not inside a slicefs mount"), std::string::npos) << out;
  ASSERT_OK(m.Unmount());
}

// Under a terminal (tmux), both commands draw their figures, stats in colour.
TEST(ObsCli, StatsAndProfileUnderTmux) {
  REQUIRE_FUSE();
  std::string why;
  if (RunCommand({"sh", "-c", "command -v tmux"}, &why) != 0) SKIP_OR_FAIL("tmux is not installed");
  TestMount m;
  ASSERT_OK(m.Mount());
  Workload w(m / "load");
  const std::string sock = "slicefs-obs-" + std::to_string(getpid());
  auto tmux = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-L", sock});
    std::string o;
    RunCommand(args, &o);
    return o;
  };
  tmux({"new-session", "-d", "-s", "stats", "-x", "220", "-y", "50",
        SlicefsBinary() + " stats " + m.path() + " --interval 0.5"});
  tmux({"new-window", "-t", "stats", "-n", "profile", SlicefsBinary() + " profile " + m.path() + " --interval 1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const std::string stats = tmux({"capture-pane", "-e", "-p", "-t", "stats:0"});
  const std::string prof = tmux({"capture-pane", "-p", "-t", "stats:profile"});
  tmux({"kill-server"});
  EXPECT_NE(stats.find("ops"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\033[32m"), std::string::npos) << "no coloured figure:\n" << stats;
  EXPECT_NE(prof.find("OPERATION"), std::string::npos) << prof;
  EXPECT_FALSE(LinesWith(prof, {"  create "}).empty()) << prof;
}

}  // namespace
}  // namespace slicefs::testing
