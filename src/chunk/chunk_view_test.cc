#include "chunk/chunk_view.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_util.h"

namespace slicefs {
namespace {

// Reference: paint records into an array of (slice id, byte offset in slice).
std::vector<std::pair<uint64_t, uint32_t>> Paint(const std::vector<SliceRecord>& recs, uint32_t n) {
  std::vector<std::pair<uint64_t, uint32_t>> a(n, {0, 0});
  for (auto& r : recs) {
    for (uint32_t i = 0; i < r.len && r.pos + i < n; i++) {
      a[r.pos + i] = r.id == 0 ? std::pair<uint64_t, uint32_t>{0, 0} : std::pair<uint64_t, uint32_t>{r.id, r.off + i};
    }
  }
  return a;
}

std::vector<std::pair<uint64_t, uint32_t>> FromView(const std::vector<ViewPiece>& v, uint32_t n) {
  std::vector<std::pair<uint64_t, uint32_t>> a(n, {0, 0});
  for (auto& p : v) {
    for (uint32_t i = 0; i < p.len; i++) a[p.pos + i] = {p.id, p.off + i};
  }
  return a;
}

TEST(ChunkView, LaterWinsHolesAndLimit) {
  std::vector<SliceRecord> recs = {
      {0, 1, 100, 0, 100},   // [0,100) slice 1
      {20, 2, 10, 0, 10},    // [20,30) slice 2 on top
      {50, 0, 0, 0, 10},     // hole [50,60)
      {90, 3, 40, 5, 20},    // [90,110) slice 3 from offset 5
  };
  auto v = BuildView(recs, 105);
  std::vector<ViewPiece> want = {
      {0, 20, 1, 100, 0, 0}, {20, 10, 2, 10, 0, 1}, {30, 20, 1, 100, 30, 0},
      {60, 30, 1, 100, 60, 0}, {90, 15, 3, 40, 5, 3},
  };
  EXPECT_EQ(v, want);
  EXPECT_TRUE(BuildView({}, 100).empty());
  EXPECT_TRUE(BuildView(recs, 0).empty());
}

TEST(ChunkView, RandomRecordsMatchPaintedModel) {
  std::mt19937_64 rng(testing::TestSeed("ChunkView.RandomRecordsMatchPaintedModel"));
  for (int round = 0; round < 300; round++) {
    std::vector<SliceRecord> recs;
    int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; i++) {
      uint32_t pos = rng() % 200, len = 1 + rng() % 80;
      uint64_t id = rng() % 5 == 0 ? 0 : i + 1;
      recs.push_back({pos, id, len + 10, static_cast<uint32_t>(rng() % 10), len});
    }
    uint32_t limit = rng() % 300;
    auto v = BuildView(recs, limit);
    for (size_t i = 1; i < v.size(); i++) ASSERT_LE(v[i - 1].pos + v[i - 1].len, v[i].pos);
    auto want = Paint(recs, 300);
    for (uint32_t i = limit; i < 300; i++) want[i] = {0, 0};
    EXPECT_EQ(FromView(v, 300), want) << "round " << round;
  }
}

}  // namespace
}  // namespace slicefs
