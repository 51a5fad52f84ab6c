// S3 bucket URL parsing and the XML helpers (no server needed).
#include <gtest/gtest.h>

#include <cstdlib>

#include "object/s3_store.h"
#include "object/s3_xml.h"

namespace slicefs {
namespace {

TEST(S3Config, PathStyleWithPortAndPrefix) {
  auto c = S3Config::Parse("http://127.0.0.1:9000/mybucket/some/prefix/", "AK", "SK");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_TRUE(c->pathStyle);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->bucket, "mybucket");
  EXPECT_EQ(c->keyPrefix, "some/prefix/");
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->hostHeader(), "127.0.0.1:9000");
  EXPECT_EQ(c->creds.accessKey, "AK");
  EXPECT_EQ(c->describe(), "http://127.0.0.1:9000/mybucket/some/prefix/");
}

TEST(S3Config, VirtualHostedAws) {
  auto c = S3Config::Parse("https://mybucket.s3.eu-west-2.amazonaws.com", "AK", "SK");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_FALSE(c->pathStyle);
  EXPECT_EQ(c->bucket, "mybucket");
  EXPECT_EQ(c->host, "s3.eu-west-2.amazonaws.com");
  EXPECT_EQ(c->region, "eu-west-2");
  EXPECT_EQ(c->hostHeader(), "mybucket.s3.eu-west-2.amazonaws.com");
  auto legacy = S3Config::Parse("https://mybucket.s3.amazonaws.com", "AK", "SK");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->region, "us-east-1");
  EXPECT_EQ(legacy->bucket, "mybucket");
}

TEST(S3Config, PathStyleAwsAndRegionOverride) {
  auto c = S3Config::Parse("https://s3.ap-south-1.amazonaws.com/data-bucket?region=ap-south-2", "AK", "SK");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_TRUE(c->pathStyle);
  EXPECT_EQ(c->bucket, "data-bucket");
  EXPECT_EQ(c->region, "ap-south-2");
  EXPECT_EQ(c->hostHeader(), "s3.ap-south-1.amazonaws.com");
}

TEST(S3Config, OptionsAndForcedVirtualHost) {
  auto c = S3Config::Parse(
      "http://b1.minio.local:9000?path-style=false&io-retries=3&get-timeout=5&put-timeout=7&connections=4", "AK",
      "SK");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_FALSE(c->pathStyle);
  EXPECT_EQ(c->bucket, "b1");
  EXPECT_EQ(c->hostHeader(), "b1.minio.local:9000");
  EXPECT_EQ(c->ioRetries, 3);
  EXPECT_EQ(c->getTimeoutMs, 5000);
  EXPECT_EQ(c->putTimeoutMs, 7000);
  EXPECT_EQ(c->maxConnections, 4u);
}

TEST(S3Config, CredentialsFromEnvironment) {
  setenv("AWS_ACCESS_KEY_ID", "ENVAK", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "ENVSK", 1);
  setenv("AWS_SESSION_TOKEN", "ENVTOK", 1);
  setenv("AWS_REGION", "sa-east-1", 1);
  auto c = S3Config::Parse("http://127.0.0.1:1/b");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  unsetenv("AWS_REGION");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->creds.accessKey, "ENVAK");
  EXPECT_EQ(c->creds.secretKey, "ENVSK");
  EXPECT_EQ(c->creds.sessionToken, "ENVTOK");
  EXPECT_EQ(c->region, "sa-east-1");
  // Explicit keys win, and then the environment's token is not mixed in.
  setenv("AWS_SESSION_TOKEN", "ENVTOK", 1);
  auto e = S3Config::Parse("http://127.0.0.1:1/b", "AK", "SK");
  unsetenv("AWS_SESSION_TOKEN");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->creds.accessKey, "AK");
  EXPECT_EQ(e->creds.sessionToken, "");
}

TEST(S3Config, RejectsBadUrls) {
  for (const char* bad : {"", "ftp://h/b", "http://127.0.0.1:9000", "http://127.0.0.1:9000/",
                          "http://h:1/Bad_Bucket", "http://h:1/b?io-retries=x", "http://h:1/b?bogus=1",
                          "http://u:p@h:1/b", "http://h:99999/b"}) {
    auto c = S3Config::Parse(bad, "AK", "SK");
    EXPECT_FALSE(c) << bad;
    if (!c) {
      EXPECT_EQ(c.error().code(), EINVAL) << bad;
      EXPECT_EQ(c.error().message().find('\n'), std::string::npos);
    }
  }
  unsetenv("AWS_ACCESS_KEY_ID");
  auto noCreds = S3Config::Parse("http://h:1/b");
  ASSERT_FALSE(noCreds);
  EXPECT_NE(noCreds.error().message().find("credentials"), std::string::npos);
}

TEST(S3Xml, ParsesListV2) {
  const char* xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><Prefix>v/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
      "<Contents><Key>v/a&amp;b &lt;c&gt; &#x41;&#66;</Key><LastModified>2013-09-17T18:07:53.123Z</LastModified>"
      "<ETag>&quot;x&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>v/z</Key><LastModified>2013-09-17T18:07:53Z</LastModified><Size>0</Size></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>";
  auto r = s3xml::ParseListV2(xml);
  ASSERT_EQ(r.objects.size(), 2u);
  EXPECT_EQ(r.objects[0].key, "v/a&b <c> AB");
  EXPECT_EQ(r.objects[0].size, 434234u);
  EXPECT_EQ(r.objects[0].mtimeNs, 1379441273123000000LL);
  EXPECT_EQ(r.objects[1].key, "v/z");
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.nextToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  auto empty = s3xml::ParseListV2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  EXPECT_TRUE(empty.objects.empty());
  EXPECT_FALSE(empty.truncated);
}

TEST(S3Xml, ParsesErrorsAndBuildsDelete) {
  auto e = s3xml::ParseError(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The resource you requested does not "
      "exist</Message><Resource>/mybucket/myfoto.jpg</Resource></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The resource you requested does not exist");
  EXPECT_EQ(s3xml::ParseError("not xml").code, "");
  std::string body = s3xml::BuildDeleteBody({"a<b", "c&d"});
  EXPECT_NE(body.find("<Object><Key>a&lt;b</Key></Object><Object><Key>c&amp;d</Key></Object>"), std::string::npos);
  auto errs = s3xml::ParseDeleteErrors(
      "<DeleteResult><Deleted><Key>x</Key></Deleted><Error><Key>y</Key><Code>AccessDenied</Code></Error>"
      "</DeleteResult>");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], "y: AccessDenied");
  EXPECT_EQ(s3xml::ParseHttpDateNs("Wed, 12 Oct 2009 17:50:00 GMT"), 1255369800LL * 1000000000LL);
}

}  // namespace
}  // namespace slicefs
