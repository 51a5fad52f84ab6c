// `slicefs gateway` end to end: boto3 (every operation, error codes,
// presigned URLs) and the AWS CLI (200 MiB multipart cp, sync, ls, s3api)
// against a real gateway process, with a real FUSE mount of the same volume
// to check that both sides see the same bytes; SIGTERM stops it cleanly.
#include <gtest/gtest.h>

#include <fstream>

#include "s3gw/gateway_util.h"
#include "support/mount.h"
#include "support/test_util.h"

namespace slicefs::testing {
namespace {

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = PythonWithBoto3();
    aws_ = AwsCli();
    ASSERT_TRUE(mount_.Format().ok());
    std::string why;
    if (FuseAvailable(&why)) {
      Status st = mount_.Mount();
      ASSERT_TRUE(st.ok()) << st.ToString();
    } else {
      fuseWhy_ = why;
    }
    auto g = GatewayProcess::Start(mount_.metaUrl());
    ASSERT_TRUE(g.has_value()) << g.error().ToString();
    gw_ = std::move(*g);
  }
  void TearDown() override {
    if (gw_) {
      if (HasFailure()) std::fprintf(stderr, "gateway log:\n%s\n", gw_->log().c_str());
      gw_.reset();
    }
  }
  TestMount mount_;
  std::unique_ptr<GatewayProcess> gw_;
  std::string python_, aws_, fuseWhy_;
};

TEST_F(GatewayTest, Boto3EveryOperationAndMountInterop) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  if (!fuseWhy_.empty()) SKIP_OR_FAIL("FUSE unavailable for the mount half: " + fuseWhy_);
  std::string out;
  int rc = RunCommand({python_, SourceDir() + "/tests/s3gw/boto3_suite.py", gw_->endpoint(), "testvol",
                       GatewayProcess::kAccessKey, GatewayProcess::kSecretKey, mount_.path()},
                      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("checks passed"), std::string::npos) << out;
}

TEST_F(GatewayTest, AwsCliMultipartSyncListCopyDelete) {
  if (aws_.empty()) SKIP_OR_FAIL("no AWS CLI (install awscli)");
  TempDir work("gwcli");
  std::string out;
  int rc = RunCommand({"env", std::string("AWS_ACCESS_KEY_ID=") + GatewayProcess::kAccessKey,
                       std::string("AWS_SECRET_ACCESS_KEY=") + GatewayProcess::kSecretKey, "bash",
                       SourceDir() + "/tests/s3gw/awscli_suite.sh", aws_, gw_->endpoint(), "testvol",
                       work.path() + "/w"},
                      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("awscli suite: passed"), std::string::npos) << out;
}

TEST_F(GatewayTest, StreamingSignedChunksVerifiedEachChunk) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  std::string out;
  int rc = RunCommand({python_, SourceDir() + "/tests/s3gw/chunked_put.py", gw_->endpoint(), "testvol",
                       GatewayProcess::kAccessKey, GatewayProcess::kSecretKey},
                      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("chunked put: passed"), std::string::npos) << out;
}

TEST_F(GatewayTest, ServesHttpsWithCertAndKey) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  TempDir tls("gwtls");
  const std::string cert = tls.path() + "/cert.pem", key = tls.path() + "/key.pem";
  std::string out;
  ASSERT_EQ(RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                       &out),
            0)
      << out;
  gw_.reset();
  auto g = GatewayProcess::Start(mount_.metaUrl(), {"--cert-file", cert, "--key-file", key});
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  gw_ = std::move(*g);
  const std::string ep = "https://127.0.0.1:" + std::to_string(gw_->port());
  const std::string script =
      "import boto3,sys\n"
      "s3=boto3.client('s3',endpoint_url=sys.argv[1],aws_access_key_id=sys.argv[2],aws_secret_access_key=sys.argv[3],"
      "region_name='us-east-1',verify=sys.argv[4])\n"
      "s3.put_object(Bucket='testvol',Key='tls/obj',Body=b'over tls')\n"
      "assert s3.get_object(Bucket='testvol',Key='tls/obj')['Body'].read()==b'over tls'\n"
      "print('tls ok')\n";
  int rc = RunCommand({python_, "-c", script, ep, GatewayProcess::kAccessKey, GatewayProcess::kSecretKey, cert}, &out);
  EXPECT_EQ(rc, 0) << out << gw_->log();
  EXPECT_NE(out.find("tls ok"), std::string::npos) << out;
  // Plain HTTP to the TLS port is not served.
  rc = RunCommand({python_, "-c", script, "http://127.0.0.1:" + std::to_string(gw_->port()), GatewayProcess::kAccessKey,
                   GatewayProcess::kSecretKey, cert},
                  &out);
  EXPECT_NE(rc, 0);
}

TEST_F(GatewayTest, SigtermStopsAndClosesTheSession) {
  std::string status;
  ASSERT_EQ(RunSlicefs({"status", mount_.metaUrl()}, &status), 0) << status;
  EXPECT_NE(status.find("\"127.0.0.1:" + std::to_string(gw_->port()) + "\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"kind\": \"gateway\""), std::string::npos) << status;
  EXPECT_EQ(gw_->Stop(), 0) << gw_->log();
  ASSERT_EQ(RunSlicefs({"status", mount_.metaUrl()}, &status), 0) << status;
  EXPECT_EQ(status.find("\"kind\": \"gateway\""), std::string::npos) << status;
}

TEST_F(GatewayTest, MetricsCountRequestsAndAuthFailures) {
  gw_.reset();
  const std::string maddr = "127.0.0.1:" + std::to_string(FreePort());
  auto g = GatewayProcess::Start(mount_.metaUrl(), {"--metrics", maddr});
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  gw_ = std::move(*g);
  std::string out;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(RunCommand({"curl", "-s", gw_->endpoint() + "/testvol"}, &out), 0);
  EXPECT_NE(out.find("AccessDenied"), std::string::npos) << out;
  ASSERT_EQ(RunCommand({"curl", "-s", "http://" + maddr + "/metrics"}, &out), 0);
  EXPECT_NE(out.find("slicefs_gateway_requests_total{"), std::string::npos) << out;
  EXPECT_NE(out.find("method=\"GET\",code=\"403\"} 3"), std::string::npos) << out;
  EXPECT_NE(out.find("slicefs_gateway_auth_failures_total"), std::string::npos) << out;
  size_t p = out.find("\nslicefs_gateway_auth_failures_total");
  ASSERT_NE(p, std::string::npos) << out;
  std::string line = out.substr(p + 1, out.find('\n', p + 1) - p - 1);
  EXPECT_EQ(line.substr(line.rfind(' ') + 1), "3") << line;
}

// A file written through the mount has no stored ETag: without --keep-etag
// a synthetic one (not its MD5); with it, the MD5, computed once and kept.
TEST_F(GatewayTest, KeepEtagComputesMd5OfMountWrittenFiles) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  if (!fuseWhy_.empty()) SKIP_OR_FAIL("FUSE unavailable: " + fuseWhy_);
  {
    std::ofstream f(mount_ / "m.txt");
    f << "written through the mount";
  }
  const std::string md5 = "\"" + *ShellOutput("printf 'written through the mount' | md5sum | cut -d' ' -f1") + "\"";
  const std::string script =
      "import boto3,sys,time\n"
      "s3=boto3.client('s3',endpoint_url=sys.argv[1],aws_access_key_id=sys.argv[2],aws_secret_access_key=sys.argv[3],"
      "region_name='us-east-1')\n"
      "for i in range(50):\n"
      "  try:\n"
      "    print(s3.head_object(Bucket='testvol',Key='m.txt')['ETag']); break\n"
      "  except Exception: time.sleep(0.1)\n";
  std::string out;
  ASSERT_EQ(RunCommand({python_, "-c", script, gw_->endpoint(), GatewayProcess::kAccessKey, GatewayProcess::kSecretKey},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find('"'), std::string::npos) << out;
  EXPECT_EQ(out.find(md5), std::string::npos) << "synthetic ETag expected, got " << out;
  gw_.reset();
  auto g = GatewayProcess::Start(mount_.metaUrl(), {"--keep-etag"});
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  gw_ = std::move(*g);
  ASSERT_EQ(RunCommand({python_, "-c", script, gw_->endpoint(), GatewayProcess::kAccessKey, GatewayProcess::kSecretKey},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find(md5), std::string::npos) << out << " want " << md5;
  auto x = ShellOutput("getfattr --absolute-names --only-values -n user.s3.etag " + mount_ / "m.txt");
  ASSERT_TRUE(x.has_value()) << x.error().ToString();
  EXPECT_EQ(x->substr(0, 32), md5.substr(1, 32)) << *x;
}

TEST_F(GatewayTest, SigtermLetsAnInFlightDownloadFinish) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  std::string out;
  int rc = RunCommand({python_, SourceDir() + "/tests/s3gw/sigterm_inflight.py", gw_->endpoint(), "testvol",
                       GatewayProcess::kAccessKey, GatewayProcess::kSecretKey, std::to_string(gw_->pid())},
                      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(gw_->Stop(), 0) << gw_->log();
  std::string status;
  ASSERT_EQ(RunSlicefs({"status", mount_.metaUrl()}, &status), 0) << status;
  EXPECT_EQ(status.find("\"kind\": \"gateway\""), std::string::npos) << status;
}

TEST_F(GatewayTest, MultiBucketsAndMultipartWithoutDataCopy) {
  if (python_.empty()) SKIP_OR_FAIL("no python3 with boto3 (install python3-boto3)");
  gw_.reset();
  auto g = GatewayProcess::Start(mount_.metaUrl(), {"--multi-buckets"});
  ASSERT_TRUE(g.has_value()) << g.error().ToString();
  gw_ = std::move(*g);
  std::string out;
  int rc = RunCommand({python_, SourceDir() + "/tests/s3gw/multibucket_suite.py", gw_->endpoint(),
                       GatewayProcess::kAccessKey, GatewayProcess::kSecretKey, mount_.bucket()},
                      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("multibucket suite: passed"), std::string::npos) << out;
  std::printf("%s", out.c_str());
}

TEST_F(GatewayTest, RefusesToStartWithoutCredentials) {
  std::string out;
  int rc = RunCommand({"env", "-u", "SLICEFS_GATEWAY_ACCESS_KEY", "-u", "SLICEFS_GATEWAY_SECRET_KEY", SlicefsBinary(),
                       "gateway", mount_.metaUrl(), "127.0.0.1:0"},
                      &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("SLICEFS_GATEWAY_ACCESS_KEY"), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing
