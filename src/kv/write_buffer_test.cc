// WriteBuffer's overlaid scan against a model: random engine contents,
// random buffered writes, random ranges and limits, fetched in small pages.
#include "kv/write_buffer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "support/test_util.h"

namespace slicefs {
namespace {

TEST(WriteBuffer, ScanMatchesModel) {
  uint64_t seed = testing::TestSeed("WriteBuffer.ScanMatchesModel");
  std::mt19937_64 rng(seed);
  auto key = [&] { return std::string(1, static_cast<char>('a' + rng() % 6)) + std::to_string(rng() % 5); };
  for (int round = 0; round < 300; round++) {
    std::map<std::string, std::string> engine;
    for (int i = 0, n = rng() % 20; i < n; i++) engine[key()] = "e" + std::to_string(i);
    WriteBuffer buf;
    std::map<std::string, std::string> model = engine;
    for (int i = 0, n = rng() % 15; i < n; i++) {
      std::string k = key();
      if (rng() % 3 == 0) {
        buf.del(k);
        model.erase(k);
      } else {
        buf.put(k, "b" + std::to_string(i));
        model[k] = "b" + std::to_string(i);
      }
    }
    std::string begin = rng() % 4 == 0 ? "" : key();
    std::string end = rng() % 3 == 0 ? "" : key();
    size_t limit = rng() % 6;
    int fetches = 0;
    auto fetch = [&](std::string_view b, std::string_view e, size_t lim) -> Result<std::vector<KeyValue>> {
      fetches++;
      std::vector<KeyValue> out;
      for (auto it = engine.lower_bound(std::string(b)); it != engine.end(); ++it) {
        if (!e.empty() && it->first >= e) break;
        if (lim && out.size() >= lim) break;
        out.push_back({it->first, it->second});
      }
      return out;
    };
    auto got = buf.scan(begin, end, limit, fetch);
    ASSERT_TRUE(got.has_value());
    std::vector<KeyValue> want;
    if (end.empty() || begin < end) {
      for (auto it = model.lower_bound(begin); it != model.end(); ++it) {
        if (!end.empty() && it->first >= end) break;
        if (limit && want.size() >= limit) break;
        want.push_back({it->first, it->second});
      }
    }
    ASSERT_EQ(*got, want) << "round " << round << " begin=" << begin << " end=" << end << " limit=" << limit;
    ASSERT_LT(fetches, 40);
  }
}

TEST(WriteBuffer, GetsFetchesOnlyUnbufferedKeys) {
  WriteBuffer buf;
  buf.put("a", "1");
  buf.del("b");
  std::vector<std::string> asked;
  std::vector<std::string> keys = {"a", "b", "c"};
  auto got = buf.gets(keys, [&](std::span<const std::string> ks) -> Result<std::vector<std::optional<std::string>>> {
    asked.assign(ks.begin(), ks.end());
    return std::vector<std::optional<std::string>>{"engine-c"};
  });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(asked, std::vector<std::string>{"c"});
  std::vector<std::optional<std::string>> want = {"1", std::nullopt, "engine-c"};
  EXPECT_EQ(*got, want);
}

}  // namespace
}  // namespace slicefs
