// TLS to every server slicefs talks to (issue #14 item 4), against real
// servers started with a certificate made here (tests/secure/tls_util.h):
// rediss:// Redis, PostgreSQL with sslmode=, etcd over https and s3rver
// over https. Each: a volume formatted and mounted through TLS reads back
// what was written; a CA that did not sign the server's certificate fails
// with one line that says what to pass; insecure-skip-verify (by name)
// connects anyway; plain-vs-TLS mismatches fail clearly.
#include <sys/stat.h>

#include "secure/tls_util.h"
#include "support/engines.h"
#include "support/mount.h"
#include "support/s3_server.h"

namespace slicefs::testing {
namespace {

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto good = MakeTestCerts(goodDir_.path());
    ASSERT_TRUE(good.has_value()) << good.error().ToString();
    good_ = *good;
    auto other = MakeTestCerts(otherDir_.path());  // a CA that signed nothing of the servers
    ASSERT_TRUE(other.has_value()) << other.error().ToString();
    wrongCa_ = other->ca;
  }
  void TearDown() override {
    for (const auto& d : servers_) (void)StopServerScript(d);
  }
  // Starts scripts/servers/start-KIND.sh with TLS; *url: its URL ("" when
  // it could not start: then the test is skipped or failed).
  void StartTls(const std::string& kind, const std::string& args, std::string* url) {
    TlsServerEnv env(good_);
    const std::string dir = tmp_ / kind;
    servers_.push_back(dir);
    auto u = StartServerScript(kind, dir, args);
    if (!u && u.error().is(ENOTSUP)) SKIP_OR_FAIL(u.error().ToString());
    ASSERT_TRUE(u.has_value()) << u.error().ToString();
    *url = *u;
    while (!url->empty() && (url->back() == '\n' || url->back() == '\r')) url->pop_back();
  }
  // Formats and mounts a volume on metaUrl, writes a file, remounts and
  // reads it back.
  void RoundTrip(const std::string& metaUrl, VolumeSpec spec = {}) {
    std::string why;
    if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
    spec.metaUrl = metaUrl;
    TestMount m(spec);
    Status st = m.Mount();
    ASSERT_TRUE(st.ok()) << st.ToString();
    const std::string data = PatternBytes(14, 300000);
    ASSERT_TRUE(WriteFile(m / "over-tls", data));
    ASSERT_TRUE(m.Unmount().ok());
    st = m.Mount();
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(ReadFile(m / "over-tls"), data);
  }
  // `slicefs status URL` fails with one line containing every `says`.
  static void StatusFails(const std::string& url, const std::vector<std::string>& says) {
    std::string out;
    EXPECT_NE(RunSlicefs({"status", url}, &out), 0) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    for (const auto& s : says) EXPECT_NE(out.find(s), std::string::npos) << "no '" << s << "' in: " << out;
    std::printf("  refused as expected: %s", out.c_str());
  }
  static void FormatWorks(const std::string& url) {
    TempDir d("slicefs-tls-fmt");
    std::string out;
    EXPECT_EQ(RunSlicefs({"format", url, "tlsvol", "--storage", "file", "--bucket", d / "bucket"}, &out), 0) << out;
    EXPECT_EQ(RunSlicefs({"status", url}, &out), 0) << out;
  }

  TempDir tmp_{"slicefs-tls"}, goodDir_{"slicefs-tls-ca"}, otherDir_{"slicefs-tls-other"};
  TestCerts good_;
  std::string wrongCa_;
  std::vector<std::string> servers_;
};

TEST_F(Tls, RedisOverTls) {
  std::string base;  // rediss://:PW@127.0.0.1:PORT/1
  StartTls("redis", "Tls-Redis-Pw", &base);
  if (base.empty()) return;
  ASSERT_EQ(base.rfind("rediss://", 0), 0u) << base;
  RoundTrip(base + "?tls-cacert-file=" + good_.ca);
  StatusFails(base + "?prefix=other&tls-cacert-file=" + wrongCa_, {"not trusted", "tls-cacert-file", "insecure-skip-verify"});
  // The right CA, but the certificate must also name the host asked for.
  StatusFails(base + "?prefix=other&tls-cacert-file=" + good_.ca + "&tls-server-name=db.example", {"not trusted"});
  FormatWorks(base + "?prefix=named&tls-cacert-file=" + good_.ca + "&tls-server-name=localhost");
  // The system CAs did not sign it either.
  StatusFails(base + "?prefix=other", {"not trusted"});
  FormatWorks(base + "?prefix=skip&tls-cacert-file=" + wrongCa_ + "&insecure-skip-verify=true");
  // TLS options on a plain redis:// URL are a mistake, not ignored.
  StatusFails("redis" + base.substr(6) + "?tls-cacert-file=" + good_.ca, {"rediss://"});
}

TEST_F(Tls, PostgresWithSslmode) {
  std::string base;  // postgres://slicefs:slicefs@127.0.0.1:PORT/slicefs
  StartTls("postgres", "", &base);
  if (base.empty()) return;
  RoundTrip(base + "?sslmode=verify-full&sslrootcert=" + good_.ca);
  StatusFails(base + "?prefix=other&sslmode=verify-full&sslrootcert=" + wrongCa_, {"certificate", "sslrootcert"});
  // A server without TLS refuses sslmode=require at once (not retried).
  ENGINE_URL_OR_SKIP(plain, "postgres");
  auto start = std::chrono::steady_clock::now();
  StatusFails(plain + "&sslmode=require", {"SSL"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(Tls, EtcdOverHttps) {
  std::string base;  // etcd://127.0.0.1:PORT/slicefs
  StartTls("etcd", "", &base);
  if (base.empty()) return;
  RoundTrip(base + "?cacert=" + good_.ca);
  StatusFails(base + "x?cacert=" + wrongCa_, {"not trusted", "insecure-skip-verify"});
  FormatWorks(base + "skip?insecure-skip-verify=true");
  // Plain http to the https port fails (the server answers with a TLS alert or closes).
  std::string out;
  EXPECT_NE(RunSlicefs({"status", base + "plain"}, &out), 0) << out;
}

TEST_F(Tls, S3EndpointOverHttpsWithACaFile) {
  std::string why;
  if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  const std::string dir = tmp_ / "s3rver";
  std::string endpoint;
  {
    TlsServerEnv env(good_);
    int rc = RunCommand({SourceDir() + "/scripts/servers/start-s3rver.sh", dir}, &endpoint);
    if (rc == 2) SKIP_OR_FAIL("s3rver is not installed: " + endpoint);
    ASSERT_EQ(rc, 0) << endpoint;
  }
  servers_.push_back(dir);
  endpoint = endpoint.substr(0, endpoint.find('\n'));
  ASSERT_EQ(endpoint.rfind("https://", 0), 0u) << endpoint;
  VolumeSpec spec;
  spec.storage = "s3";
  spec.bucket = endpoint + "/tlsbucket?tls-cacert-file=" + good_.ca;
  spec.formatArgs.insert(spec.formatArgs.end(), {"--access-key", S3Server::kAccessKey, "--secret-key", S3Server::kSecretKey});
  RoundTrip("", spec);
  // Format against the same endpoint with the wrong CA: one clear line.
  TempDir d("slicefs-tls-s3");
  std::string out;
  EXPECT_NE(RunSlicefs({"format", "sqlite3://" + d.path() + "/m.db", "vol2", "--storage", "s3", "--bucket",
                        endpoint + "/tls2?tls-cacert-file=" + wrongCa_, "--access-key", S3Server::kAccessKey,
                        "--secret-key", S3Server::kSecretKey},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("not trusted"), std::string::npos) << out;
  EXPECT_NE(out.find("tls-cacert-file"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // Opting out by name works.
  EXPECT_EQ(RunSlicefs({"format", "sqlite3://" + d.path() + "/m3.db", "vol3", "--storage", "s3", "--bucket",
                        endpoint + "/tls3?insecure-skip-verify=true", "--access-key", S3Server::kAccessKey,
                        "--secret-key", S3Server::kSecretKey},
                       &out),
            0)
      << out;
}

}  // namespace
}  // namespace slicefs::testing
