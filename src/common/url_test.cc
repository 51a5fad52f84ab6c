#include "common/url.h"

#include <gtest/gtest.h>

namespace slicefs {

TEST(UrlTest, ParsesNetworkUrl) {
  auto u = Url::Parse("redis://user:p%40ss@127.0.0.1:6379/2?timeout=5");
  ASSERT_TRUE(u) << u.error().ToString();
  EXPECT_EQ(u->scheme, "redis");
  EXPECT_EQ(u->user, "user");
  EXPECT_EQ(u->password, "p@ss");
  ASSERT_EQ(u->hosts.size(), 1u);
  EXPECT_EQ(u->hosts[0].host, "127.0.0.1");
  EXPECT_EQ(u->hosts[0].port, 6379);
  EXPECT_EQ(u->path, "2");
  EXPECT_EQ(u->query.at("timeout"), "5");
  EXPECT_EQ(u->Redacted(), "redis://user:****@127.0.0.1:6379/2?timeout=5");
}

TEST(UrlTest, ParsesHostListAndFilePaths) {
  auto u = Url::Parse("etcd://a:1,b:2,[::1]:3/vol");
  ASSERT_TRUE(u);
  ASSERT_EQ(u->hosts.size(), 3u);
  EXPECT_EQ(u->hosts[2].host, "::1");
  EXPECT_EQ(u->hosts[2].port, 3);
  auto s = Url::Parse("sqlite3:///tmp/x.db");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->path, "/tmp/x.db");
  auto r = Url::Parse("sqlite3://rel.db");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "rel.db");
}

TEST(UrlTest, RejectsMalformed) {
  for (const char* bad : {"", "nourl", "://x", "redis://", "redis://h:99999/0", "redis://h:abc/0",
                          "sqlite3://", "redis://[::1/0", "redis://a,,b/0", "x://%zz@h/"}) {
    auto u = Url::Parse(bad);
    EXPECT_FALSE(u) << bad;
    if (!u) {
      EXPECT_EQ(u.error().code(), EINVAL);
      EXPECT_NE(u.error().message().find("malformed URL"), std::string::npos) << u.error().message();
    }
  }
}

}  // namespace slicefs
