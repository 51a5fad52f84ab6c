// aws-chunked decoding: the S3 reference example's signed chunks, fed in
// random splits (seeded), tampering, truncation, the unsigned-trailer form.
#include "gateway/aws_chunked.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "object/sigv4.h"

namespace slicefs::gateway {
namespace {

const std::string kKey = sigv4::SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
const std::string kScope = sigv4::Scope("20130524", "us-east-1", "s3");
constexpr const char* kDate = "20130524T000000Z";
constexpr const char* kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

std::string SignedBody(const std::vector<std::string>& chunks) {
  std::string body, prev = kSeed;
  auto add = [&](const std::string& data) {
    std::string sig = sigv4::ChunkSignature(kKey, kDate, kScope, prev, sigv4::Sha256Hex(data));
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%zx", data.size());
    body += std::string(hex) + ";chunk-signature=" + sig + "\r\n" + data + "\r\n";
    prev = sig;
  };
  for (const auto& c : chunks) add(c);
  add("");
  return body;
}

S3Error Decode(AwsChunkedDecoder& d, const std::string& wire, std::string* out, std::mt19937& rng) {
  size_t pos = 0;
  while (pos < wire.size()) {
    size_t n = std::min<size_t>(wire.size() - pos, 1 + rng() % 9000);
    S3Error e = d.Feed(std::string_view(wire).substr(pos, n), [&](std::string_view p) {
      out->append(p);
      return true;
    });
    if (!e.ok()) return e;
    pos += n;
  }
  return d.Finish();
}

TEST(AwsChunked, ReferenceExampleDecodesInAnySplit) {
  std::string wire = SignedBody({std::string(65536, 'a'), std::string(1024, 'a')});
  EXPECT_EQ(wire.size(), 66824u);  // the reference's Content-Length
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    AwsChunkedDecoder d(kKey, kDate, kScope, kSeed);
    std::string out;
    S3Error e = Decode(d, wire, &out, rng);
    ASSERT_TRUE(e.ok()) << e.code << ": " << e.message << " (seed " << seed << ")";
    EXPECT_EQ(out, std::string(66560, 'a'));
    EXPECT_EQ(d.decodedBytes(), 66560u);
  }
}

TEST(AwsChunked, TamperedDataOrSignatureIsRefused) {
  std::mt19937 rng(1);
  std::string wire = SignedBody({"hello world", "second chunk"});
  std::string bad = wire;
  bad[bad.find("hello")] = 'j';
  AwsChunkedDecoder d1(kKey, kDate, kScope, kSeed);
  std::string out;
  EXPECT_EQ(Decode(d1, bad, &out, rng).code, "SignatureDoesNotMatch");
  // Chunks reordered: each signature chains from the previous one.
  std::string a = SignedBody({"one"}), b = SignedBody({"two"});
  AwsChunkedDecoder d2(kKey, kDate, kScope, "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(Decode(d2, a, &out, rng).code, "SignatureDoesNotMatch");
  // Unsigned chunks where signed ones are required.
  AwsChunkedDecoder d3(kKey, kDate, kScope, kSeed);
  EXPECT_EQ(Decode(d3, "5\r\nhello\r\n0\r\n\r\n", &out, rng).code, "SignatureDoesNotMatch");
}

TEST(AwsChunked, TruncatedBodyIsIncomplete) {
  std::mt19937 rng(2);
  std::string wire = SignedBody({"hello world"});
  AwsChunkedDecoder d(kKey, kDate, kScope, kSeed);
  std::string out;
  EXPECT_EQ(Decode(d, wire.substr(0, wire.size() - 90), &out, rng).code, "IncompleteBody");
  AwsChunkedDecoder d2(kKey, kDate, kScope, kSeed);
  EXPECT_EQ(Decode(d2, "zz;chunk-signature=00\r\n", &out, rng).code, "IncompleteBody");
}

TEST(AwsChunked, UnsignedWithTrailer) {
  std::mt19937 rng(3);
  AwsChunkedDecoder d;
  std::string out;
  S3Error e = Decode(d, "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", &out, rng);
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(out, "hello world");
}

}  // namespace
}  // namespace slicefs::gateway
