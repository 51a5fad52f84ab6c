// `slicefs webdav` against real clients: litmus's basic, copymove, props and
// locks suites with no failures; rclone copying a tree in and out with equal
// checksums; files written through WebDAV read identically through a real
// mount and the other way round; basic auth; the session in `status`; and
// SIGTERM during a large PUT leaving no half file and no session.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "mount/mount_util.h"
#include "support/assert.h"
#include "support/mount.h"
#include "webdav/webdav_util.h"

namespace slicefs::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool Have(const std::string& tool) { return RunCommand({"sh", "-c", "command -v " + tool}) == 0; }

#define REQUIRE_TOOL(t)                                                            \
  do {                                                                             \
    if (!Have(t)) SKIP_OR_FAIL(std::string(t) + " is not installed (scripts/install-deps.sh)"); \
  } while (0)

// A formatted volume (not mounted) and a WebDAV server on it.
struct DavVolume {
  TestMount vol;
  DavProcess dav;
  Status Start(const std::vector<std::string>& extra = {}, const std::map<std::string, std::string>& env = {}) {
    if (Status st = vol.Format(); !st.ok()) return st;
    return dav.Start(vol.metaUrl(), vol.dir() + "/webdav.log", extra, env);
  }
};

// litmus prints one summary line per suite:
//   <- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%
TEST(Webdav, LitmusSuitesPass) {
  REQUIRE_TOOL("litmus");
  DavVolume d;
  ASSERT_OK(d.Start());
  std::string out;
  // litmus writes debug.log and child.log into its working directory.
  int rc = RunCommand({"env", "TESTS=basic copymove props locks", "litmus", d.dav.url("/")}, &out, d.vol.dir());
  std::ofstream(d.vol.dir() + "/litmus.out") << out;
  std::regex summary(R"(summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed)");
  std::map<std::string, std::pair<int, int>> suites;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), summary); it != std::sregex_iterator(); ++it) {
    suites[(*it)[1]] = {std::stoi((*it)[3]), std::stoi((*it)[4])};
  }
  for (const char* s : {"basic", "copymove", "props", "locks"}) {
    ASSERT_TRUE(suites.contains(s)) << "no summary for " << s << "; litmus said:\n" << out;
    EXPECT_GT(suites[s].first, 5) << s;
    EXPECT_EQ(suites[s].second, 0) << s << " failed tests; litmus said:\n" << out;
  }
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(d.dav.Stop(), 0);
}

// A tree of files of assorted sizes (empty, small, several blocks).
void MakeTree(const std::string& root, uint64_t seed) {
  fs::create_directories(root + "/a/b/c");
  fs::create_directories(root + "/empty dir");
  const std::vector<std::pair<std::string, size_t>> files = {
      {"top.txt", 1000},      {"a/zero", 0},          {"a/one.bin", 1},           {"a/b/mid.bin", 300000},
      {"a/b/c/big.bin", 9 << 20}, {"a/b/c/ünï cödé.txt", 4096}, {"a/b/spaces & amp.txt", 77}};
  uint64_t s = seed;
  for (auto& [name, size] : files) ASSERT_TRUE(WriteFile(root + "/" + name, PatternBytes(s++, size))) << name;
}

std::map<std::string, std::string> TreeDigests(const std::string& root) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = e.path().string().substr(root.size());
    out[rel] = e.is_directory() ? "dir" : FileDigest(e.path().string());
  }
  return out;
}

TEST(Webdav, RcloneCopiesATreeInAndOut) {
  REQUIRE_TOOL("rclone");
  DavVolume d;
  ASSERT_OK(d.Start());
  const uint64_t seed = TestSeed("RcloneCopiesATreeInAndOut");
  TempDir local;
  const std::string in = local / "in", back = local / "back";
  MakeTree(in, seed);
  const std::vector<std::string> env = {"env", "RCLONE_CONFIG_DAV_TYPE=webdav", "RCLONE_CONFIG_DAV_URL=" + d.dav.url("/"),
                                        "RCLONE_CONFIG_DAV_VENDOR=other", "RCLONE_CONFIG=/dev/null"};
  auto rclone = [&](std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = env;
    argv.push_back("rclone");
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out);
  };
  std::string out;
  ASSERT_EQ(rclone({"copy", "--create-empty-src-dirs", in, "dav:tree"}, &out), 0) << out;
  ASSERT_EQ(rclone({"copy", "--create-empty-src-dirs", "dav:tree", back}, &out), 0) << out;
  EXPECT_EQ(TreeDigests(in), TreeDigests(back));
  ASSERT_EQ(rclone({"check", in, "dav:tree"}, &out), 0) << out;
  EXPECT_EQ(d.dav.Stop(), 0);
}

TEST(Webdav, WritesReadIdenticallyThroughAMountAndBack) {
  REQUIRE_FUSE();
  DavVolume d;
  ASSERT_OK(d.Start());
  // No kernel caches: a name replaced through WebDAV is seen at once.
  ASSERT_OK(d.vol.Mount({"--entry-cache", "0", "--attr-cache", "0", "--dir-entry-cache", "0"}));
  const uint64_t seed = TestSeed("WritesReadIdenticallyThroughAMountAndBack");
  TempDir local;
  // WebDAV -> mount.
  const std::string viaDav = PatternBytes(seed, (6 << 20) + 12345);
  ASSERT_TRUE(WriteFile(local / "up", viaDav));
  EXPECT_EQ(CurlStatus({"-T", local / "up", d.dav.url("/from-dav.bin")}), 201);
  EXPECT_TRUE(ReadFile(d.vol / "from-dav.bin") == viaDav) << "the mount reads other bytes than were PUT";
  // mount -> WebDAV, whole and ranged.
  const std::string viaMount = PatternBytes(seed + 1, (5 << 20) + 7);
  ASSERT_TRUE(WriteFile(d.vol / "from-mount.bin", viaMount));
  std::string out;
  ASSERT_EQ(Curl({"-o", local / "down", d.dav.url("/from-mount.bin")}, &out), 0) << out;
  EXPECT_TRUE(ReadFile(local / "down") == viaMount) << "GET gives other bytes than the mount wrote";
  ASSERT_EQ(Curl({"-r", "4194000-4194999", d.dav.url("/from-mount.bin")}, &out), 0);
  EXPECT_TRUE(out == viaMount.substr(4194000, 1000)) << "the ranged GET is wrong";
  // An overwrite through WebDAV replaces the file the mount sees.
  ASSERT_TRUE(WriteFile(local / "small", "replaced"));
  EXPECT_EQ(CurlStatus({"-T", local / "small", d.dav.url("/from-mount.bin")}), 204);
  EXPECT_EQ(ReadFile(d.vol / "from-mount.bin"), "replaced");
  // COPY clones: the copy reads the same, and changing it leaves the source.
  EXPECT_EQ(CurlStatus({"-X", "COPY", "-H", "Destination: " + d.dav.url("/copy.bin"), d.dav.url("/from-dav.bin")}),
            201);
  EXPECT_TRUE(ReadFile(d.vol / "copy.bin") == viaDav) << "the COPY reads differently";
  ASSERT_TRUE(WriteFile(d.vol / "copy.bin", "changed"));
  EXPECT_TRUE(ReadFile(d.vol / "from-dav.bin") == viaDav) << "changing the copy changed the source";
  // No temporary file is left beside what PUT wrote.
  for (auto& n : DirNames(d.vol.path())) EXPECT_EQ(n.find("slicefs-put"), std::string::npos) << n;
  ASSERT_OK(d.vol.Unmount());
  EXPECT_EQ(d.dav.Stop(), 0);
}

TEST(Webdav, BasicAuthRefusesAWrongPassword) {
  DavVolume d;
  ASSERT_OK(d.Start({"--user", "alice"}, {{"SLICEFS_WEBDAV_PASSWORD", "s3cret-pw"}}));
  EXPECT_EQ(CurlStatus({d.dav.url("/")}), 401);
  EXPECT_EQ(CurlStatus({"-u", "alice:wrong", d.dav.url("/")}), 401);
  EXPECT_EQ(CurlStatus({"-u", "bob:s3cret-pw", d.dav.url("/")}), 401);
  EXPECT_EQ(CurlStatus({"-u", "alice:s3cret-pw", d.dav.url("/")}), 200);
  EXPECT_EQ(CurlStatus({"-u", "alice:s3cret-pw", "-X", "PROPFIND", "-H", "Depth: 0", d.dav.url("/")}), 207);
  // The password is in no argument of the process.
  std::string cmdline = ReadFile("/proc/" + std::to_string(d.dav.pid()) + "/cmdline");
  EXPECT_EQ(cmdline.find("s3cret-pw"), std::string::npos);
  EXPECT_NE(cmdline.find("alice"), std::string::npos);
  EXPECT_EQ(d.dav.Stop(), 0);
}

TEST(Webdav, StatusListsTheSession) {
  DavVolume d;
  ASSERT_OK(d.Start({"--heartbeat", "1"}));
  // Past its expiry (5 heartbeats) the session is still fresh: it beats.
  std::this_thread::sleep_for(6500ms);
  std::string out;
  ASSERT_EQ(RunSlicefs({"status", d.vol.metaUrl()}, &out), 0) << out;
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["Sessions"].size(), 1u) << out;
  EXPECT_EQ(j["Sessions"][0]["kind"], "webdav");
  EXPECT_EQ(j["Sessions"][0]["address"], "127.0.0.1:" + std::to_string(d.dav.port()));
  EXPECT_EQ(j["Sessions"][0]["processId"], d.dav.pid());
  EXPECT_EQ(j["Sessions"][0]["stale"], false) << out;
  EXPECT_EQ(d.dav.Stop(), 0);
  ASSERT_EQ(RunSlicefs({"status", d.vol.metaUrl()}, &out), 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["Sessions"].size(), 0u) << "the session was closed at exit: " << out;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// A PUT whose body stops half way; SIGTERM with a 1 s grace: the request is
// aborted, the server exits 0, no file (nor temporary) is left, the session
// is gone, and an earlier version of the file is intact.
TEST(Webdav, SigtermDuringALargePutLeavesNoHalfFile) {
  DavVolume d;
  ASSERT_OK(d.Start({"--shutdown-timeout", "1"}));
  TempDir local;
  ASSERT_TRUE(WriteFile(local / "old", "the old version"));
  ASSERT_EQ(CurlStatus({"-T", local / "old", d.dav.url("/big.bin")}), 201);
  int fd = Connect(d.dav.port());
  ASSERT_GE(fd, 0);
  const size_t total = 256 << 20, sent = 24 << 20;
  ASSERT_TRUE(SendAll(fd, "PUT /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(total) +
                              "\r\n\r\n"));
  const std::string chunk = PatternBytes(1, 1 << 20);
  for (size_t s = 0; s < sent; s += chunk.size()) ASSERT_TRUE(SendAll(fd, chunk));
  std::this_thread::sleep_for(500ms);  // let the server take in what was sent
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(d.dav.Stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s) << "the stuck PUT was not aborted after the grace period";
  close(fd);
  std::string out;
  ASSERT_EQ(RunSlicefs({"status", d.vol.metaUrl()}, &out), 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["Sessions"].size(), 0u) << out;
  // What a fresh server (and a mount) sees: the old version, nothing else.
  DavProcess again;
  ASSERT_OK(again.Start(d.vol.metaUrl(), d.vol.dir() + "/webdav2.log"));
  ASSERT_EQ(Curl({again.url("/big.bin")}, &out), 0);
  EXPECT_EQ(out, "the old version");
  ASSERT_EQ(Curl({"-X", "PROPFIND", "-H", "Depth: 1", again.url("/")}, &out), 0);
  EXPECT_EQ(out.find("slicefs-put"), std::string::npos) << "a temporary file was left:\n" << out;
  EXPECT_EQ(again.Stop(), 0);
}

// SIGTERM while a PUT is running: new connections are refused, the PUT may
// finish within --shutdown-timeout and is committed, then the server exits 0.
TEST(Webdav, SigtermLetsARunningPutFinish) {
  DavVolume d;
  ASSERT_OK(d.Start({"--shutdown-timeout", "60"}));
  int fd = Connect(d.dav.port());
  ASSERT_GE(fd, 0);
  const std::string body = PatternBytes(7, 8 << 20);
  ASSERT_TRUE(SendAll(fd, "PUT /late.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n"));
  ASSERT_TRUE(SendAll(fd, body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(kill(d.dav.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(CurlStatus({"--max-time", "5", d.dav.url("/")}), -1) << "a new connection while draining";
  ASSERT_TRUE(SendAll(fd, body.substr(body.size() / 2)));
  std::string reply(4096, '\0');
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n = recv(fd, reply.data(), reply.size(), 0);
  ASSERT_GT(n, 0) << "no reply to the PUT that was let finish";
  reply.resize(static_cast<size_t>(n));
  EXPECT_EQ(reply.rfind("HTTP/1.1 201", 0), 0u) << reply;
  close(fd);
  EXPECT_EQ(d.dav.Stop(), 0);
  DavProcess again;
  ASSERT_OK(again.Start(d.vol.metaUrl(), d.vol.dir() + "/webdav2.log"));
  std::string out;
  ASSERT_EQ(Curl({again.url("/late.bin")}, &out), 0);
  EXPECT_TRUE(out == body) << "the finished PUT is not all there (" << out.size() << " bytes)";
  EXPECT_EQ(again.Stop(), 0);
}

// Peak resident memory of a process (VmHWM), bytes; -1 if unknown.
int64_t PeakRss(pid_t pid) {
  std::istringstream in(ReadFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return -1;
}

// A 768 MiB PUT and GET go through in blocks: the server's peak memory
// (the data layer's 256 MiB block cache, a 64 MiB write buffer, readahead)
// stays well below the body's size (a server holding the body would not).
TEST(Webdav, LargeBodiesStreamInBoundedMemory) {
  DavVolume d;
  ASSERT_OK(d.Start({"--buffer-size", "64M"}));
  TempDir local;
  const size_t size = 768ull << 20;
  {
    std::ofstream f(local / "big", std::ios::binary);
    const std::string block = PatternBytes(3, 1 << 20);
    for (size_t i = 0; i < size; i += block.size()) f << block;
  }
  EXPECT_EQ(CurlStatus({"-T", local / "big", d.dav.url("/big")}), 201);
  std::string out;
  ASSERT_EQ(Curl({"-o", local / "back", d.dav.url("/big")}, &out), 0) << out;
  EXPECT_EQ(FileDigest(local / "big"), FileDigest(local / "back"));
  const int64_t peak = PeakRss(d.dav.pid());
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 500ll << 20) << "peak RSS " << (peak >> 20) << " MiB for a " << (size >> 20) << " MiB body";
  std::printf("webdav peak RSS after a %zu MiB PUT+GET: %lld MiB\n", size >> 20, static_cast<long long>(peak >> 20));
  EXPECT_EQ(d.dav.Stop(), 0);
}

// PROPFIND of a directory with many entries streams every one (paging).
TEST(Webdav, PropfindListsEveryEntryOfABigDirectory) {
  DavVolume d;
  ASSERT_OK(d.Start());
  ASSERT_EQ(CurlStatus({"-X", "MKCOL", d.dav.url("/many")}), 201);
  ASSERT_EQ(CurlStatus({"-X", "MKCOL", d.dav.url("/many/sub")}), 201);
  TempDir local;
  ASSERT_TRUE(WriteFile(local / "f", "x"));
  // 300 files (more than two listing pages) through one curl invocation.
  std::vector<std::string> args;
  for (int i = 0; i < 300; i++) {
    args.insert(args.end(), {"-T", local / "f", d.dav.url("/many/f" + std::to_string(i))});
    if (i % 100 == 99) {
      std::string out;
      ASSERT_EQ(Curl(args, &out), 0) << out;
      args.clear();
    }
  }
  ASSERT_EQ(CurlStatus({"-T", local / "f", d.dav.url("/many/sub/deep")}), 201);
  std::string out;
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) n++;
    return n;
  };
  ASSERT_EQ(Curl({"-X", "PROPFIND", "-H", "Depth: 1", d.dav.url("/many/")}, &out), 0);
  EXPECT_EQ(count(out, "<D:response>"), 302u);  // itself, 300 files, sub
  ASSERT_EQ(Curl({"-X", "PROPFIND", "-H", "Depth: infinity", d.dav.url("/many/")}, &out), 0);
  EXPECT_EQ(count(out, "<D:response>"), 303u);
  EXPECT_NE(out.find("/many/sub/deep</D:href>"), std::string::npos);
  ASSERT_EQ(Curl({"-X", "PROPFIND", "-H", "Depth: 0", d.dav.url("/many/")}, &out), 0);
  EXPECT_EQ(count(out, "<D:response>"), 1u);
  EXPECT_EQ(d.dav.Stop(), 0);
}

TEST(Webdav, ServesHttpsAndRefusesAKeyOfAnotherCertificate) {
  REQUIRE_TOOL("openssl");
  DavVolume d;
  ASSERT_OK(d.vol.Format());
  const std::string cert = d.vol.dir() + "/cert.pem", key = d.vol.dir() + "/key.pem", other = d.vol.dir() + "/o.pem";
  ASSERT_EQ(RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-keyout", key, "-out", cert}),
            0);
  ASSERT_EQ(RunCommand({"openssl", "genpkey", "-algorithm", "RSA", "-out", other}), 0);
  std::string out;
  EXPECT_EQ(RunSlicefs({"webdav", d.vol.metaUrl(), "127.0.0.1:" + std::to_string(FreePort()), "--no-metrics",
                        "--cert-file", cert, "--key-file", other},
                       &out),
            1);
  EXPECT_NE(out.find("does not match"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "one line: " << out;
  EXPECT_EQ(RunSlicefs({"webdav", d.vol.metaUrl(), "127.0.0.1:1", "--no-metrics", "--cert-file", cert}, &out), 1);
  EXPECT_NE(out.find("without --key-file"), std::string::npos) << out;
  ASSERT_EQ(RunSlicefs({"status", d.vol.metaUrl()}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["Sessions"].size(), 0u) << "a refused start registers nothing";

  ASSERT_OK(d.dav.Start(d.vol.metaUrl(), d.vol.dir() + "/webdav.log", {"--cert-file", cert, "--key-file", key}));
  const std::string https = "https://127.0.0.1:" + std::to_string(d.dav.port()) + "/";
  ASSERT_TRUE(WriteFile(d.vol.dir() + "/f", "over tls"));
  EXPECT_EQ(CurlStatus({"--cacert", cert, "-T", d.vol.dir() + "/f", https + "f"}), 201);
  ASSERT_EQ(Curl({"--cacert", cert, https + "f"}, &out), 0) << out;
  EXPECT_EQ(out, "over tls");
  EXPECT_NE(CurlStatus({d.dav.url("/f")}), 200) << "plain HTTP is not served on the TLS port";
  EXPECT_EQ(d.dav.Stop(), 0);
}

// The value of the first series `name{...}` whose line holds every needle, or -1.
double Series(const std::string& text, const std::string& name, const std::vector<std::string>& needles) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0) continue;
    bool all = true;
    for (auto& n : needles) all = all && line.find(n) != std::string::npos;
    if (all) return std::strtod(line.substr(line.rfind(' ') + 1).c_str(), nullptr);
  }
  return -1;
}

TEST(Webdav, MetricsCountRequestsByMethodAndStatus) {
  DavVolume d;
  const int mport = FreePort();
  ASSERT_OK(d.Start({"--metrics", "127.0.0.1:" + std::to_string(mport)}));
  TempDir local;
  ASSERT_TRUE(WriteFile(local / "f", std::string(5000, 'x')));
  for (int i = 0; i < 3; i++) EXPECT_EQ(CurlStatus({"-T", local / "f", d.dav.url("/m" + std::to_string(i))}), 201);
  for (int i = 0; i < 2; i++) EXPECT_EQ(CurlStatus({d.dav.url("/m0")}), 200);
  EXPECT_EQ(CurlStatus({d.dav.url("/missing")}), 404);
  std::string text;
  ASSERT_EQ(Curl({"http://127.0.0.1:" + std::to_string(mport) + "/metrics"}, &text), 0);
  EXPECT_EQ(Series(text, "slicefs_webdav_requests_total", {"method=\"PUT\"", "code=\"201\""}), 3) << text;
  EXPECT_EQ(Series(text, "slicefs_webdav_requests_total", {"method=\"GET\"", "code=\"200\""}), 2);
  EXPECT_EQ(Series(text, "slicefs_webdav_requests_total", {"method=\"GET\"", "code=\"404\""}), 1);
  EXPECT_GE(Series(text, "slicefs_webdav_bytes_total", {"direction=\"in\""}), 15000);
  EXPECT_GE(Series(text, "slicefs_webdav_bytes_total", {"direction=\"out\""}), 10000);
  EXPECT_NE(text.find("mp=\"webdav\""), std::string::npos);
  EXPECT_NE(text.find("slicefs_used_inodes"), std::string::npos) << "the data-layer series as for a mount";
  EXPECT_EQ(d.dav.Stop(), 0);
}

TEST(Webdav, ReadOnlyServesButRefusesChanges) {
  DavVolume d;
  ASSERT_OK(d.vol.Format());
  {
    DavProcess rw;
    ASSERT_OK(rw.Start(d.vol.metaUrl(), d.vol.dir() + "/rw.log"));
    TempDir local;
    ASSERT_TRUE(WriteFile(local / "f", "kept"));
    ASSERT_EQ(CurlStatus({"-T", local / "f", rw.url("/f")}), 201);
    EXPECT_EQ(rw.Stop(), 0);
  }
  ASSERT_OK(d.dav.Start(d.vol.metaUrl(), d.vol.dir() + "/ro.log", {"--read-only"}));
  std::string out;
  ASSERT_EQ(Curl({d.dav.url("/f")}, &out), 0);
  EXPECT_EQ(out, "kept");
  EXPECT_EQ(CurlStatus({"-X", "MKCOL", d.dav.url("/d")}), 403);
  EXPECT_EQ(CurlStatus({"-X", "DELETE", d.dav.url("/f")}), 403);
  EXPECT_EQ(CurlStatus({"-T", "/dev/null", d.dav.url("/g")}), 403);
  EXPECT_EQ(d.dav.Stop(), 0);
}

}  // namespace
}  // namespace slicefs::testing
