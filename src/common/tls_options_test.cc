#include "common/tls_options.h"

#include <gtest/gtest.h>

namespace slicefs {
namespace {

TEST(TlsOptions, TakesJuiceFsNamesAndAliasesAndLeavesTheRest) {
  std::map<std::string, std::string> q = {{"tls-cacert-file", "/etc/hostname"},
                                          {"insecure-skip-verify", "true"},
                                          {"server-name", "db.example"},
                                          {"prefix", "p"}};
  auto t = TlsOptions::Take(q, "u");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->caFile, "/etc/hostname");
  EXPECT_TRUE(t->insecureSkipVerify);
  EXPECT_EQ(t->serverName, "db.example");
  EXPECT_TRUE(t->any());
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.count("prefix"), 1u);
  std::map<std::string, std::string> etcd = {{"cacert", "/etc/hostname"}};
  EXPECT_EQ(TlsOptions::Take(etcd, "u")->caFile, "/etc/hostname");
  std::map<std::string, std::string> none;
  EXPECT_FALSE(TlsOptions::Take(none, "u")->any());
}

TEST(TlsOptions, BadValuesFailWithOneLine) {
  std::map<std::string, std::string> q = {{"tls-cacert-file", "/nonexistent/ca.pem"}};
  auto t = TlsOptions::Take(q, "rediss://h/1");
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().message().find("/nonexistent/ca.pem"), std::string::npos);
  std::map<std::string, std::string> b = {{"insecure-skip-verify", "yes"}};
  EXPECT_FALSE(TlsOptions::Take(b, "u").has_value());
  std::map<std::string, std::string> half = {{"tls-cert-file", "/etc/hostname"}};
  EXPECT_FALSE(TlsOptions::Take(half, "u").has_value());
}

}  // namespace
}  // namespace slicefs
