// Credentials in META-URLs reach the servers: right ones work, wrong ones
// give a one-line, final EACCES without retrying for a minute.
#include <gtest/gtest.h>

#include <chrono>

#include "support/engines.h"

namespace slicefs {
namespace {

void ExpectAccessDenied(const std::string& url) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = OpenKvStore(url);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_FALSE(r.has_value()) << url;
  EXPECT_TRUE(r.error().is(EACCES)) << r.error().ToString();
  EXPECT_FALSE(r.error().retryable()) << r.error().ToString();
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << r.error().ToString();
  EXPECT_EQ(r.error().message().find("wrong-secret"), std::string::npos) << "password leaked";
  EXPECT_LT(secs, 5.0);
}

TEST(KvAuth, RedisPassword) {
  testing::TempDir tmp("slicefs-redis-auth");
  std::string dir = tmp / "srv";
  auto url = testing::StartServerScript("redis", dir, "s3cret");
  if (!url && url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  struct Stop {
    std::string d;
    ~Stop() { (void)testing::StopServerScript(d); }
  } stopper{dir};
  ASSERT_NE(url->find(":s3cret@"), std::string::npos) << *url;
  auto ok = OpenKvStore(*url);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  ASSERT_TRUE((*ok)->txn([](KvTxn& t) {
                 t.put("k", "v");
                 return Status::OK();
               }).ok());
  std::string wrong = *url;
  wrong.replace(wrong.find("s3cret"), 6, "wrong-secret");
  ExpectAccessDenied(wrong);
  std::string none = *url;
  none.erase(none.find(":s3cret@"), 8);
  ExpectAccessDenied(none);
}

TEST(KvAuth, PostgresPassword) {
  ENGINE_URL_OR_SKIP(url, "postgres");
  auto ok = OpenKvStore(url);
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  std::string wrong = url;
  auto at = wrong.find('@');
  auto colon = wrong.rfind(':', at);
  wrong.replace(colon + 1, at - colon - 1, "wrong-secret");
  ExpectAccessDenied(wrong);
}

}  // namespace
}  // namespace slicefs
