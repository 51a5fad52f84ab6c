#include "chunk/block_key.h"

#include <gtest/gtest.h>

namespace slicefs {
namespace {

TEST(BlockKey, PlainAndHashPrefixedForms) {
  EXPECT_EQ(BlockObjectKey("vol", false, 1234567, 3, 4194304), "vol/chunks/1/1234/1234567_3_4194304");
  EXPECT_EQ(BlockObjectKey("vol", false, 5, 0, 100), "vol/chunks/0/0/5_0_100");
  EXPECT_EQ(BlockObjectKey("vol", true, 1234567, 3, 4194304), "vol/chunks/87/1/1234567_3_4194304");
  EXPECT_EQ(BlockObjectKey("vol", true, 255, 1, 7), "vol/chunks/FF/0/255_1_7");
}

TEST(BlockKey, ParseRoundTripsAndRejectsWrongDirectories) {
  for (bool hp : {false, true}) {
    auto p = ParseBlockObjectKey("vol", hp, BlockObjectKey("vol", hp, 98765432, 12, 65536));
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->id, 98765432u);
    EXPECT_EQ(p->block, 12u);
    EXPECT_EQ(p->blockLen, 65536u);
  }
  EXPECT_FALSE(ParseBlockObjectKey("vol", false, "vol/chunks/0/1/5_0_100").has_value());
  EXPECT_FALSE(ParseBlockObjectKey("vol", false, "vol/chunks/0/0/5_0").has_value());
  EXPECT_FALSE(ParseBlockObjectKey("vol", false, "vol/chunks/0/0/05_0_1").has_value());
  EXPECT_FALSE(ParseBlockObjectKey("vol", true, "vol/chunks/0/0/5_0_1").has_value());
  EXPECT_FALSE(ParseBlockObjectKey("other", false, "vol/chunks/0/0/5_0_1").has_value());
}

TEST(BlockKey, CountsAndLengths) {
  EXPECT_EQ(BlockCount(0, 4096), 0u);
  EXPECT_EQ(BlockCount(4096, 4096), 1u);
  EXPECT_EQ(BlockCount(4097, 4096), 2u);
  EXPECT_EQ(BlockLength(4097, 4096, 0), 4096u);
  EXPECT_EQ(BlockLength(4097, 4096, 1), 1u);
  EXPECT_EQ(BlockLength(4097, 4096, 2), 0u);
}

}  // namespace
}  // namespace slicefs
