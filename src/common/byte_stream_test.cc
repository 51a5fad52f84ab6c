// Byte streams: gzip and zstd round trips through small reads, detection
// by content, truncated and corrupt compressed input refused.
#include "common/byte_stream.h"

#include <gtest/gtest.h>

#include <random>

namespace slicefs {
namespace {

std::string Sample() {
  std::mt19937 rng(7);
  std::string s;
  for (int i = 0; i < 200000; i++) s += "line " + std::to_string(i) + (rng() % 3 ? " text\n" : "\n");
  for (int i = 0; i < 300000; i++) s.push_back(static_cast<char>(rng()));
  return s;
}

std::string Compress(const std::string& s, Compression c) {
  auto inner = std::make_unique<StringSink>();
  StringSink* raw = inner.get();
  auto sink = NewCompressingSink(std::move(inner), c);
  for (size_t off = 0; off < s.size(); off += 70001) EXPECT_TRUE(sink->Write(std::string_view(s).substr(off, 70001)).ok());
  EXPECT_TRUE(sink->Finish().ok());
  std::string out = raw->str();
  sink.reset();
  return out;
}

Result<std::string> ReadAll(std::string data, size_t chunk = 1000) {
  auto src = NewDecompressingSource(std::make_unique<StringSource>(std::move(data)));
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, src->Read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

TEST(ByteStream, RoundTripsEveryCompression) {
  const std::string s = Sample();
  for (auto c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string z = Compress(s, c);
    if (c != Compression::kNone) {
      EXPECT_LT(z.size(), s.size());
    }
    auto back = ReadAll(z, 777);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, s) << static_cast<int>(c);
  }
}

TEST(ByteStream, ConcatenatedGzipMembersAndZstdFramesReadAsOne) {
  for (auto c : {Compression::kGzip, Compression::kZstd}) {
    auto back = ReadAll(Compress("hello ", c) + Compress("world", c));
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, "hello world");
  }
}

TEST(ByteStream, TruncatedOrCorruptCompressedInputIsAnError) {
  const std::string s = Sample();
  for (auto c : {Compression::kGzip, Compression::kZstd}) {
    std::string z = Compress(s, c);
    auto cut = ReadAll(z.substr(0, z.size() / 2));
    ASSERT_FALSE(cut) << static_cast<int>(c);
    EXPECT_EQ(cut.error().code(), EIO);
    EXPECT_NE(cut.error().message().find("truncated"), std::string::npos) << cut.error().message();
    std::string bad = z;
    for (size_t i = 20; i < 200; i++) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    EXPECT_FALSE(ReadAll(bad)) << static_cast<int>(c);
  }
}

TEST(ByteStream, CompressionFromName) {
  EXPECT_EQ(CompressionForName("a.json.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionForName("a.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionForName("a.json"), Compression::kNone);
}

}  // namespace
}  // namespace slicefs
