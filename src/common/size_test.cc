// The one size grammar (common/size.h).
#include "common/size.h"

#include <gtest/gtest.h>

namespace slicefs {
namespace {

TEST(ParseSize, UnitsSuffixesAndPlainNumbers) {
  EXPECT_EQ(*ParseSize("4096", 1), 4096u);
  EXPECT_EQ(*ParseSize("300", kMiB), 300 * kMiB);  // plain: the flag's unit
  EXPECT_EQ(*ParseSize("64", kKiB), 64 * kKiB);
  for (const char* s : {"4M", "4m", "4MiB", "4MB", "4mib", "4Mi"}) EXPECT_EQ(*ParseSize(s, 1), 4 * kMiB) << s;
  EXPECT_EQ(*ParseSize("512K", 1), 512 * kKiB);
  EXPECT_EQ(*ParseSize("10G", 1), 10 * kGiB);
  EXPECT_EQ(*ParseSize("1T", 1), 1ULL << 40);
  EXPECT_EQ(*ParseSize("2P", 1), 2ULL << 50);
  EXPECT_EQ(*ParseSize("1.5G", 1), 3 * kGiB / 2);
  EXPECT_EQ(*ParseSize("100B", kMiB), 100u);  // an explicit B is bytes
  EXPECT_EQ(*ParseSize("0", kGiB), 0u);
}

TEST(ParseSize, BadInputIsOneClearLine) {
  for (const char* s : {"", "abc", "4X", "4 M", "-1", "M", "4MiBs", "1e3"}) {
    auto r = ParseSize(s, 1, "buffer size");
    ASSERT_FALSE(r.has_value()) << s;
    EXPECT_EQ(r.error().code(), EINVAL) << s;
    EXPECT_NE(r.error().message().find("buffer size"), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
  }
  EXPECT_FALSE(ParseSize("99999999999P", 1).has_value());  // overflow
}

TEST(FormatSize, HumanReadable) {
  EXPECT_EQ(FormatSize(100), "100 B");
  EXPECT_EQ(FormatSize(4 * kMiB), "4 MiB");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
  EXPECT_EQ(FormatSize(10 * kGiB), "10 GiB");
}

}  // namespace
}  // namespace slicefs
