// OpenKvStore: URL dispatch and one-line errors for bad URLs and databases.
#include <gtest/gtest.h>

#include <filesystem>
#include <chrono>
#include <fstream>

#include "kv/kv.h"
#include "support/test_util.h"

namespace slicefs {
namespace {

void ExpectOneLineError(const Result<std::unique_ptr<KvStore>>& r, int code, const std::string& needle) {
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(code)) << r.error().ToString();
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().ToString();
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

TEST(OpenKvStore, UnknownSchemeAndMalformedUrls) {
  ExpectOneLineError(OpenKvStore("tikv://127.0.0.1:2379/x"), EINVAL, "unknown metadata engine 'tikv'");
  ExpectOneLineError(OpenKvStore("just-a-path.db"), EINVAL, "missing scheme");
  ExpectOneLineError(OpenKvStore("sqlite3://"), EINVAL, "missing file path");
}

TEST(OpenKvStore, UnreachableServersFailFast) {
  int port = testing::FreePort();
  std::string hp = "127.0.0.1:" + std::to_string(port);
  for (std::string url : {"redis://" + hp + "/1", "postgres://u:secret@" + hp + "/db", "etcd://" + hp + "/v"}) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = OpenKvStore(url);
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_FALSE(r.has_value()) << url;
    EXPECT_TRUE(r.error().is(EIO)) << r.error().ToString();
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << r.error().ToString();
    EXPECT_EQ(r.error().message().find("secret"), std::string::npos) << "password leaked: " << r.error().ToString();
    EXPECT_LT(secs, 5.0) << url;
  }
  ExpectOneLineError(OpenKvStore("redis://" + hp + "/x"), EINVAL, "not a number");
  ExpectOneLineError(OpenKvStore("postgres://" + hp), EINVAL, "missing database name");
  ExpectOneLineError(OpenKvStore("redis://" + hp + "/1?prefix=a:b"), EINVAL, "prefix");
}

TEST(OpenKvStore, SqliteMissingDirectory) {
  testing::TempDir dir;
  ExpectOneLineError(OpenKvStore("sqlite3://" + dir.path() + "/no/such/dir/vol.db"), ENOENT, "does not exist");
}

TEST(OpenKvStore, SqliteNoCreate) {
  testing::TempDir dir;
  std::string url = "sqlite3://" + dir / "absent.db";
  ExpectOneLineError(OpenKvStore(url, KvOpenOptions{.create = false}), ENOENT, "does not exist");
  EXPECT_FALSE(std::filesystem::exists(dir / "absent.db"));
  ASSERT_TRUE(OpenKvStore(url).has_value());
  EXPECT_TRUE(OpenKvStore(url, KvOpenOptions{.create = false}).has_value());
}

TEST(OpenKvStore, SqliteNotADatabase) {
  testing::TempDir dir;
  std::ofstream(dir / "junk.db") << std::string(8192, 'x');
  ExpectOneLineError(OpenKvStore("sqlite3://" + dir / "junk.db"), EIO, "not a SQLite database");
  ExpectOneLineError(OpenKvStore("sqlite3://" + dir.path()), EISDIR, "is a directory");
}

TEST(OpenKvStore, SqlitePersistsAcrossOpens) {
  testing::TempDir dir;
  std::string url = "sqlite3://" + dir / "vol.db";
  {
    auto s = OpenKvStore(url);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    ASSERT_TRUE((*s)->txn([](KvTxn& t) {
                   t.put("k", "v");
                   return Status::OK();
                 }).ok());
  }
  auto s = OpenKvStore(url);
  ASSERT_TRUE(s.has_value());
  std::optional<std::string> v;
  ASSERT_TRUE((*s)->readOnly([&](KvTxn& t) -> Status {
                 ASSIGN_OR_RETURN(v, t.get("k"));
                 return Status::OK();
               }).ok());
  EXPECT_EQ(v, "v");
}

TEST(OpenKvStore, NamedMemStoresShareData) {
  auto a = OpenKvStore("mem://shared-test");
  auto b = OpenKvStore("mem://shared-test");
  auto c = OpenKvStore("mem://");
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE((*a)->txn([](KvTxn& t) {
                 t.put("k", "v");
                 return Status::OK();
               }).ok());
  auto read = [](KvStore& s) {
    std::optional<std::string> v;
    EXPECT_TRUE(s.readOnly([&](KvTxn& t) -> Status {
                   ASSIGN_OR_RETURN(v, t.get("k"));
                   return Status::OK();
                 }).ok());
    return v;
  };
  EXPECT_EQ(read(**b), "v");
  EXPECT_EQ(read(**c), std::nullopt);
}

}  // namespace
}  // namespace slicefs
