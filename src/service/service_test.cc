// The service plumbing's pieces on their own: draining in-flight requests,
// SIGTERM as a stop request, TLS file checks, address parsing.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "service/inflight.h"
#include "service/service.h"
#include "service/stop_signal.h"
#include "service/tls.h"
#include "support/assert.h"
#include "support/test_util.h"

namespace slicefs::service {
namespace {

using namespace std::chrono_literals;
using slicefs::testing::TempDir;

template <class T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().ToString());
  if (!r) throw std::runtime_error(r.error().ToString());
  return std::move(*r);
}

TEST(Inflight, DrainWaitsForRunningRequestsAndRefusesNewOnes) {
  Inflight in;
  auto g = in.Enter();
  ASSERT_TRUE(g);
  EXPECT_EQ(in.count(), 1u);
  std::thread t([&] {
    std::this_thread::sleep_for(200ms);
    g = Inflight::Guard();  // the request finishes
  });
  EXPECT_EQ(in.Drain(10s, 1s), 0u);
  t.join();
  EXPECT_FALSE(in.aborting()) << "finished within the grace period: nothing aborted";
  EXPECT_FALSE(in.Enter()) << "no request is admitted once draining";
}

TEST(Inflight, AbortAfterGraceAndReportWhatIsLeft) {
  Inflight in;
  auto stuck = in.Enter();
  auto cooperative = in.Enter();
  std::thread t([&] {
    while (!in.aborting()) std::this_thread::sleep_for(10ms);
    cooperative = Inflight::Guard();  // a handler that checks aborting()
  });
  EXPECT_EQ(in.Drain(100ms, 500ms), 1u) << "the stuck request is still counted";
  t.join();
  EXPECT_TRUE(in.aborting());
}

TEST(StopSignal, SigtermEndsTheWait) {
  StopSignal stop;
  std::thread t([] { ::kill(getpid(), SIGTERM); });
  EXPECT_EQ(stop.Wait(), SIGTERM);
  t.join();
  StopSignal again;
  std::thread t2([&] { again.Trigger(); });
  EXPECT_EQ(again.Wait(), 0);
  t2.join();
}

// A self-signed certificate and its key (openssl CLI), plus another key.
struct CertFiles {
  TempDir dir{"slicefs-tls"};
  std::string cert = dir / "cert.pem", key = dir / "key.pem", other = dir / "other.pem";
  bool Make() {
    return testing::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                                "/CN=127.0.0.1", "-keyout", key, "-out", cert}) == 0 &&
           testing::RunCommand({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                                "-out", other}) == 0;
  }
};

TEST(Tls, BothOrNeitherAndTheKeyMustMatch) {
  auto none = Must(LoadTls("", ""));
  EXPECT_FALSE(none.has_value());
  CertFiles f;
  if (!f.Make()) SKIP_OR_FAIL("openssl CLI cannot make a test certificate");
  auto ok = Must(LoadTls(f.cert, f.key));
  ASSERT_TRUE(ok.has_value());
  EXPECT_NE(ok->certPem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(ok->keyPem.find("PRIVATE KEY"), std::string::npos);

  auto onlyCert = LoadTls(f.cert, "");
  ASSERT_FALSE(onlyCert);
  EXPECT_NE(onlyCert.error().message().find("without --key-file"), std::string::npos);
  auto onlyKey = LoadTls("", f.key);
  ASSERT_FALSE(onlyKey);
  EXPECT_NE(onlyKey.error().message().find("without --cert-file"), std::string::npos);
  auto wrong = LoadTls(f.cert, f.other);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("does not match"), std::string::npos) << wrong.error().message();
  auto swapped = LoadTls(f.key, f.cert);
  ASSERT_FALSE(swapped);
  EXPECT_NE(swapped.error().message().find("no certificate"), std::string::npos) << swapped.error().message();
  auto missing = LoadTls(f.dir / "nope.pem", f.key);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().is(ENOENT));
}

TEST(ServiceArgs, ParseAddress) {
  auto a = Must(ParseAddress("127.0.0.1:9007"));
  EXPECT_EQ(a.first, "127.0.0.1");
  EXPECT_EQ(a.second, 9007);
  auto b = Must(ParseAddress("[::1]:80"));
  EXPECT_EQ(b.first, "::1");
  EXPECT_FALSE(ParseAddress("localhost"));
  EXPECT_FALSE(ParseAddress("h:"));
  EXPECT_FALSE(ParseAddress("h:99999"));
  EXPECT_FALSE(ParseAddress("h:12a"));
}

}  // namespace
}  // namespace slicefs::service
