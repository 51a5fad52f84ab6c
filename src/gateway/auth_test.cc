// The gateway's SigV4 verifier against requests signed by the S3 client's
// signer (object/sigv4): header form, presigned URLs, tampering, wrong keys,
// clock skew, expiry.
#include "gateway/auth.h"

#include <gtest/gtest.h>

namespace slicefs::gateway {
namespace {

constexpr int64_t kNow = 1764590000;  // 2025-12-01

RequestView Signed(const std::string& ak, const std::string& sk, int64_t when, std::string payload = "") {
  sigv4::Request r;
  r.method = "PUT";
  r.path = "/bucket/dir/a key+plus~";
  r.query = {{"partNumber", "3"}, {"uploadId", "abc"}};
  r.headers = {{"Host", "127.0.0.1:9000"}, {"Content-Type", "text/plain"}};
  r.payloadHash = payload.empty() ? sigv4::Sha256Hex("hello") : payload;
  sigv4::SignS3(r, sigv4::Credentials{ak, sk, ""}, "us-east-1", when);
  RequestView v;
  v.method = r.method;
  v.path = r.path;
  v.query = r.query;
  v.headers = r.headers;
  v.headers.emplace_back("User-Agent", "unsigned/1.0");  // not signed: may be anything
  return v;
}

TEST(GatewayAuth, HeaderSignatureVerifies) {
  Authenticator a("AKID", "secret");
  AuthResult r = a.Verify(Signed("AKID", "secret", kNow), kNow + 5);
  EXPECT_TRUE(r.error.ok()) << r.error.code << ": " << r.error.message;
  EXPECT_EQ(r.payloadHash, sigv4::Sha256Hex("hello"));
}

TEST(GatewayAuth, WrongSecretIsSignatureDoesNotMatch) {
  Authenticator a("AKID", "secret");
  EXPECT_EQ(a.Verify(Signed("AKID", "other", kNow), kNow).error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(a.Verify(Signed("AKID", "other", kNow), kNow).error.http, 403);
}

TEST(GatewayAuth, UnknownAccessKeyIsInvalidAccessKeyId) {
  Authenticator a("AKID", "secret");
  EXPECT_EQ(a.Verify(Signed("NOPE", "secret", kNow), kNow).error.code, "InvalidAccessKeyId");
}

TEST(GatewayAuth, TamperedRequestFails) {
  Authenticator a("AKID", "secret");
  RequestView v = Signed("AKID", "secret", kNow);
  v.path = "/bucket/dir/another";
  EXPECT_EQ(a.Verify(v, kNow).error.code, "SignatureDoesNotMatch");
  v = Signed("AKID", "secret", kNow);
  v.query[0].second = "4";
  EXPECT_EQ(a.Verify(v, kNow).error.code, "SignatureDoesNotMatch");
  v = Signed("AKID", "secret", kNow);
  for (auto& [k, val] : v.headers)
    if (k == "Content-Type") val = "text/html";
  EXPECT_EQ(a.Verify(v, kNow).error.code, "SignatureDoesNotMatch");
  v = Signed("AKID", "secret", kNow);
  for (auto& [k, val] : v.headers)
    if (k == "x-amz-content-sha256") val = sigv4::Sha256Hex("other body");
  EXPECT_EQ(a.Verify(v, kNow).error.code, "SignatureDoesNotMatch");
}

TEST(GatewayAuth, ClockSkewAndAnonymous) {
  Authenticator a("AKID", "secret");
  EXPECT_EQ(a.Verify(Signed("AKID", "secret", kNow - 3600), kNow).error.code, "RequestTimeTooSkewed");
  RequestView anon;
  anon.method = "GET";
  anon.path = "/";
  EXPECT_EQ(a.Verify(anon, kNow).error.code, "AccessDenied");
}

TEST(GatewayAuth, StreamingSeedGivesChunkContext) {
  Authenticator a("AKID", "secret");
  AuthResult r = a.Verify(Signed("AKID", "secret", kNow, std::string(sigv4::kStreamingPayload)), kNow);
  ASSERT_TRUE(r.error.ok()) << r.error.message;
  EXPECT_EQ(r.signingKey, sigv4::SigningKey("secret", sigv4::AmzDate(kNow).substr(0, 8), "us-east-1", "s3"));
  EXPECT_EQ(r.scope, sigv4::Scope(sigv4::AmzDate(kNow).substr(0, 8), "us-east-1", "s3"));
  EXPECT_EQ(r.seedSignature.size(), 64u);
}

// A presigned GET built the way SDKs build it: X-Amz-* in the query, only
// host signed, UNSIGNED-PAYLOAD.
RequestView Presigned(const std::string& sk, int64_t when, int expires) {
  std::string date = sigv4::AmzDate(when);
  sigv4::Request r;
  r.method = "GET";
  r.path = "/bucket/obj";
  r.query = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
             {"X-Amz-Credential", "AKID/" + date.substr(0, 8) + "/us-east-1/s3/aws4_request"},
             {"X-Amz-Date", date},
             {"X-Amz-Expires", std::to_string(expires)},
             {"X-Amz-SignedHeaders", "host"}};
  r.headers = {{"host", "gw:9000"}};
  r.payloadHash = std::string(sigv4::kUnsignedPayload);
  auto s = sigv4::Sign(r, sigv4::Credentials{"AKID", sk, ""}, "us-east-1", "s3", date);
  RequestView v;
  v.method = "GET";
  v.path = r.path;
  v.query = r.query;
  v.query.emplace_back("X-Amz-Signature", s.signature);
  v.headers = {{"Host", "gw:9000"}};
  return v;
}

TEST(GatewayAuth, PresignedUrl) {
  Authenticator a("AKID", "secret");
  EXPECT_TRUE(a.Verify(Presigned("secret", kNow, 600), kNow + 10).error.ok());
  EXPECT_EQ(a.Verify(Presigned("secret", kNow, 600), kNow + 601).error.message, "Request has expired");
  EXPECT_EQ(a.Verify(Presigned("wrong", kNow, 600), kNow).error.code, "SignatureDoesNotMatch");
  RequestView v = Presigned("secret", kNow, 600);
  v.path = "/bucket/other";
  EXPECT_EQ(a.Verify(v, kNow).error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(a.Verify(Presigned("secret", kNow, 700000), kNow).error.code, "AuthorizationQueryParametersError");
}

TEST(GatewayAuth, ParseAmzDate) {
  EXPECT_EQ(ParseAmzDate("20130524T000000Z"), 1369353600);
  EXPECT_EQ(ParseAmzDate("2013-05-24"), -1);
  EXPECT_EQ(ParseAmzDate("20131324T000000Z"), -1);
}

}  // namespace
}  // namespace slicefs::gateway
