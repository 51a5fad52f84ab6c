// The control channel: found through the root's user.slicefs.control,
// requests run as the connecting process (SO_PEERCRED), paths outside the
// mount are refused, bad requests get one clear error.
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "tree/tree_util.h"
#include "vfs/control/wire.h"

namespace slicefs::testing {
namespace {

std::string SocketOf(const TestMount& m) {
  char buf[512];
  ssize_t n = getxattr(m.path().c_str(), "user.slicefs.control", buf, sizeof(buf));
  return n > 0 ? std::string(buf, n) : "";
}

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One request; the final frame (progress frames skipped).
nlohmann::json Call(const std::string& sock, const nlohmann::json& req) {
  int fd = Connect(sock);
  if (fd < 0) return {{"errno", -1}};
  EXPECT_TRUE(control::WriteFrame(fd, req).ok());
  nlohmann::json last;
  for (;;) {
    auto m = control::ReadFrame(fd, control::kMaxResponseBytes);
    if (!m) break;
    last = *m;
    if (!m->contains("progress")) break;
  }
  close(fd);
  return last;
}

class Channel : public TreeTest {};

TEST_P(Channel, RequestsRunWithThePeersCredentials) {
  const std::string sock = SocketOf(*m_);
  ASSERT_FALSE(sock.empty()) << "no user.slicefs.control on the mount root";
  auto r = Call(sock, {{"cmd", "ping"}, {"args", {{"path", m_->path() + "/a/b"}}}});
  ASSERT_EQ(r["errno"], 0) << r.dump();
  EXPECT_EQ(r["result"]["uid"], 0);
  EXPECT_EQ(r["result"]["path"], "/a/b");
  // The same request from uid 1000 (a forked child) is answered as 1000,
  // which also reads the attribute (meta_url is root/owner only).
  int rc = RunAs(kUser, kUser, {4242}, [&] {
    std::string s = SocketOf(*m_);
    if (s != sock) return 10;
    auto p = Call(s, {{"cmd", "ping"}});
    if (p["errno"] != 0) return 11;
    if (p["result"]["uid"] != kUser || p["result"]["gid"] != kUser) return 12;
    auto gids = p["result"]["gids"];
    if (std::find(gids.begin(), gids.end(), 4242) == gids.end()) return 13;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST_P(Channel, RefusesPathsOutsideTheMount) {
  const std::string sock = SocketOf(*m_);
  ASSERT_TRUE(WriteFile("/tmp/slicefs-tree-outside", "keep"));
  for (const std::string& p : std::vector<std::string>{"/tmp/slicefs-tree-outside", m_->path() + "x/y", "relative/path"}) {
    auto r = Call(sock, {{"cmd", "rmr"}, {"args", {{"paths", {p}}, {"skipTrash", true}}}});
    EXPECT_NE(r["errno"], 0) << p;
    if (p[0] == '/') {
      EXPECT_EQ(r["errno"], EXDEV) << p << ": " << r.dump();
      EXPECT_NE(r["message"].get<std::string>().find("outside the mount"), std::string::npos);
    }
  }
  EXPECT_EQ(ReadFile("/tmp/slicefs-tree-outside"), "keep");
  unlink("/tmp/slicefs-tree-outside");
  // The CLI says so too, in one line.
  std::string out;
  EXPECT_NE(RunSlicefs({"rmr", "/tmp"}, &out), 0);
  EXPECT_NE(out.find("not inside a slicefs mount"), std::string::npos) << out;
}

TEST_P(Channel, BadRequestsGetOneClearError) {
  const std::string sock = SocketOf(*m_);
  EXPECT_EQ(Call(sock, {{"cmd", "no-such-command"}})["errno"], ENOSYS);
  EXPECT_EQ(Call(sock, {{"nocmd", 1}})["errno"], EINVAL);
  EXPECT_EQ(Call(sock, {{"cmd", "rmr"}, {"args", {{"paths", 7}}}})["errno"], EINVAL);
  // Over the request size limit: refused before reading it.
  auto big = Call(sock, {{"cmd", "ping"}, {"args", {{"pad", std::string(control::kMaxRequestBytes + 10, 'x')}}}});
  EXPECT_EQ(big["errno"], EMSGSIZE);
  // The mount still answers.
  EXPECT_EQ(Call(sock, {{"cmd", "ping"}})["errno"], 0);
}

TEST_P(Channel, ClosingTheSocketCancelsTheWork) {
  // 10,000 files: rmr checks permissions (progress every 4,096 entries)
  // before removing anything; closing after the first progress record
  // must stop it with (nearly) everything still there.
  const std::string root = m_->path() + "/big";
  std::filesystem::create_directories(root);
  for (int d = 0; d < 10; d++) {
    std::string dir = root + "/d" + std::to_string(d);
    std::filesystem::create_directories(dir);
    for (int f = 0; f < 1000; f++) ASSERT_TRUE(WriteFile(dir + "/" + std::to_string(f), ""));
  }
  const size_t before = CountEntries(root);
  int fd = Connect(SocketOf(*m_));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(control::WriteFrame(fd, {{"cmd", "rmr"}, {"args", {{"paths", {root}}, {"skipTrash", true}}}}).ok());
  auto first = control::ReadFrame(fd, control::kMaxResponseBytes);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(first->contains("progress")) << first->dump();
  close(fd);
  sleep(2);
  const size_t after = CountEntries(root);
  EXPECT_GT(after, before / 2) << "the removal went on after the client closed its socket";
  // The mount keeps serving, and a full run afterwards removes the rest.
  std::string out;
  ASSERT_EQ(RunSlicefs({"rmr", "--skip-trash", root}, &out), 0) << out;
  EXPECT_FALSE(std::filesystem::exists(root));
}

INSTANTIATE_TEST_SUITE_P(Engines, Channel, ::testing::Values("sqlite3", "redis"), EngineParamName);

}  // namespace
}  // namespace slicefs::testing
