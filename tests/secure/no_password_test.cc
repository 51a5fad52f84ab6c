// No metadata password where a user of the mount can read it (issue #14):
// a volume on a password-protected Redis and PostgreSQL is mounted, with the
// password in the META-URL or in META_PASSWORD, and a user other than root
// reads `ps -ef`, /proc/PID/cmdline of the mount, /proc/mounts, the mount's
// log (debug level), `slicefs status` and every xattr of the mount root
// (the listed ones and the virtual user.slicefs.* ones): none contains the
// password. Root reads the redacted meta_url too.
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/url.h"
#include "support/engines.h"
#include "support/mount.h"

namespace slicefs::testing {
namespace {

constexpr uid_t kUser = 4201;

// What `uid` can read of `path` ("" when it cannot).
std::string ReadAsUser(uid_t uid, const std::string& path) {
  TempDir out("slicefs-secure-out");
  chmod(out.path().c_str(), 0777);
  const std::string dst = out / "copy";
  RunAs(uid, uid, {}, [&] {
    std::string s = ReadFile(path);
    return WriteFile(dst, s) ? 0 : 1;
  });
  return ReadFile(dst);
}

// `argv` run as `uid`, its output.
std::string RunAsUser(uid_t uid, const std::vector<std::string>& argv) {
  TempDir out("slicefs-secure-out");
  chmod(out.path().c_str(), 0777);
  const std::string dst = out / "out";
  RunAs(uid, uid, {}, [&] {
    std::string o;
    RunCommand(argv, &o);
    return WriteFile(dst, o) ? 0 : 1;
  });
  return ReadFile(dst);
}

// Every xattr of `dir` as `uid` sees them: listed names and the virtual
// ones, "name=value" lines.
std::string XattrsAs(uid_t uid, const std::string& dir) {
  TempDir out("slicefs-secure-out");
  chmod(out.path().c_str(), 0777);
  const std::string dst = out / "xattrs";
  RunAs(uid, uid, {}, [&] {
    std::vector<std::string> names = {"user.slicefs.meta_url", "user.slicefs.pid", "user.slicefs.control"};
    char list[4096];
    ssize_t n = listxattr(dir.c_str(), list, sizeof list);
    for (ssize_t i = 0; i < n; i += std::strlen(list + i) + 1) names.push_back(list + i);
    std::string all;
    for (const auto& name : names) {
      char v[4096];
      ssize_t len = getxattr(dir.c_str(), name.c_str(), v, sizeof v);
      all += name + "=" + (len >= 0 ? std::string(v, len) : "<" + std::string(std::strerror(errno)) + ">") + "\n";
    }
    return WriteFile(dst, all) ? 0 : 1;
  });
  return ReadFile(dst);
}

class NoPassword : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  }
  void TearDown() override {
    unsetenv("META_PASSWORD");
    if (!serverDir_.empty()) (void)StopServerScript(serverDir_);
  }

  // A URL of a fresh namespace whose server needs a password, and that
  // password (distinct from every other word in the URL).
  void PasswordUrl(const std::string& engine, std::string* url, std::string* password) {
    *password = "Pw-" + std::to_string(getpid()) + "-z9Q";
    if (engine == "redis") {
      serverDir_ = tmp_ / "redis";
      auto u = StartServerScript("redis", serverDir_, *password);
      if (!u && u.error().is(ENOTSUP)) SKIP_OR_FAIL(u.error().ToString());
      ASSERT_TRUE(u.has_value()) << u.error().ToString();
      *url = *u;
      return;
    }
    ENGINE_URL_OR_SKIP(base, engine);  // postgres://slicefs:slicefs@HOST:PORT/slicefs?prefix=...
    auto u = Url::Parse(base);
    ASSERT_TRUE(u.has_value());
    // A role of its own, with a password that is no other word of the URL.
    static int seq = 0;
    const std::string role = "secure_" + std::to_string(getpid()) + "_" + std::to_string(seq++);
    std::string out;
    int rc = RunCommand({"psql", "-v", "ON_ERROR_STOP=1", "-q", base.substr(0, base.find('?')), "-c",
                         "CREATE ROLE " + role + " LOGIN PASSWORD '" +
                             *password + "'; GRANT CREATE, USAGE ON SCHEMA public TO " + role + ";"},
                        &out);
    ASSERT_EQ(rc, 0) << out;
    *url = "postgres://" + role + ":" + *password + "@" + u->hosts[0].host + ":" +
           std::to_string(u->hosts[0].port) + "/" + u->path + "?prefix=" + u->query["prefix"];
  }

  // Mounts (URL with or without the password), then checks every place.
  void MountAndCheck(const std::string& url, const std::string& password, bool viaEnv) {
    std::string mountUrl = url;
    if (viaEnv) {
      auto u = Url::Parse(url);
      ASSERT_TRUE(u.has_value());
      mountUrl = u->Redacted();
      mountUrl.replace(mountUrl.find(":****@"), 6, "@");
      setenv("META_PASSWORD", password.c_str(), 1);
    }
    VolumeSpec spec;
    spec.metaUrl = mountUrl;
    spec.allowOther = false;  // root's default
    spec.mountArgs = {"--log-level", "debug"};
    TestMount m(spec);
    Status st = m.Mount();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(WriteFile(m / "f", "data"));
    std::string statusOut;
    ASSERT_EQ(RunSlicefs({"status", mountUrl}, &statusOut), 0) << statusOut;
    EXPECT_NE(statusOut.find("\"Sessions\""), std::string::npos) << statusOut;
    chmod(m.logFile().c_str(), 0644);  // let the user read it (it is root's 0644 already when umask allows)

    struct Place {
      std::string name, text;
    };
    std::vector<Place> places = {
        {"ps -ef", RunAsUser(kUser, {"ps", "-ef", "ww"})},
        {"/proc/PID/cmdline", ReadAsUser(kUser, "/proc/" + std::to_string(m.pid()) + "/cmdline")},
        {"/proc/mounts", ReadAsUser(kUser, "/proc/mounts")},
        {"the log", ReadAsUser(kUser, m.logFile())},
        {"slicefs status", statusOut},
        {"root xattrs (user)", XattrsAs(kUser, m.path())},
        {"root xattrs (root)", XattrsAs(0, m.path())},
        {".config (root: it is 0400)", ReadFile(m / ".config")},
    };
    for (const auto& p : places) {
      EXPECT_EQ(p.text.find(password), std::string::npos) << p.name << " shows the password:\n" << p.text;
    }
    // The places were really read (a check of empty text proves nothing).
    EXPECT_NE(places[0].text.find("slicefs"), std::string::npos) << places[0].text;
    EXPECT_NE(places[1].text.find("mount"), std::string::npos) << places[1].text;
    EXPECT_NE(places[2].text.find(m.path()), std::string::npos);
    EXPECT_NE(places[3].text.find("control channel"), std::string::npos) << places[3].text;
    EXPECT_NE(places[6].text.find("user.slicefs.meta_url=" + std::string(viaEnv ? mountUrl : Url::Parse(url)->Redacted())),
              std::string::npos)
        << places[6].text;
    EXPECT_NE(places[7].text.find("meta_url"), std::string::npos) << places[7].text;
    if (!viaEnv) {  // the redacted URL is what ps shows
      EXPECT_NE(places[1].text.find(Url::Parse(url)->Redacted()), std::string::npos) << places[1].text;
    }
    ASSERT_TRUE(m.Unmount().ok());
  }

  TempDir tmp_{"slicefs-secure"};
  std::string serverDir_;
};

TEST_P(NoPassword, PasswordInTheUrl) {
  std::string url, password;
  PasswordUrl(GetParam(), &url, &password);
  if (HasFatalFailure() || IsSkipped()) return;
  MountAndCheck(url, password, /*viaEnv=*/false);
}

TEST_P(NoPassword, PasswordFromMetaPasswordVariable) {
  std::string url, password;
  PasswordUrl(GetParam(), &url, &password);
  if (HasFatalFailure() || IsSkipped()) return;
  MountAndCheck(url, password, /*viaEnv=*/true);
}

INSTANTIATE_TEST_SUITE_P(Engines, NoPassword, ::testing::Values("redis", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace slicefs::testing

namespace slicefs::testing {
namespace {

// Credentials stored in the volume format are shown as "removed" by every
// command that prints the format, and by the mount's .config.
TEST(FormatSecrets, ShownAsRemovedEverywhere) {
  std::string why;
  if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  const std::string secret = "Sk-" + std::to_string(getpid()) + "-q7W";
  VolumeSpec spec;
  spec.formatArgs = {"--trash-days", "0", "--access-key", "AK", "--secret-key", secret};
  TestMount m(spec);
  Status st = m.Mount();
  ASSERT_TRUE(st.ok()) << st.ToString();
  struct Out {
    std::string what, text;
  };
  std::vector<Out> outs;
  for (const auto& args : std::vector<std::vector<std::string>>{{"status", m.metaUrl()}, {"config", m.metaUrl()},
                                                                {"dump", m.metaUrl()}}) {
    std::string out;
    EXPECT_EQ(RunSlicefs(args, &out), 0) << out;
    outs.push_back({args[0], out});
  }
  outs.push_back({".config", ReadFile(m / ".config")});
  for (const auto& o : outs) {
    EXPECT_EQ(o.text.find(secret), std::string::npos) << o.what << " shows the secret key:\n" << o.text;
    EXPECT_NE(o.text.find("removed"), std::string::npos) << o.what << ":\n" << o.text;
  }
}

}  // namespace
}  // namespace slicefs::testing
