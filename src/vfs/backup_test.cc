// Backup naming, intervals, the retention policy and the claim that lets
// one client per interval back up.
#include "vfs/backup.h"

#include <gtest/gtest.h>

#include <set>

#include "common/byte_stream.h"
#include "kv/mem_kv.h"
#include "object/mem_store.h"

namespace slicefs {
namespace {

TEST(Backup, IntervalParsing) {
  EXPECT_EQ(*ParseBackupInterval("1h"), std::chrono::seconds(3600));
  EXPECT_EQ(*ParseBackupInterval("1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(*ParseBackupInterval("45s"), std::chrono::seconds(45));
  EXPECT_EQ(*ParseBackupInterval("90"), std::chrono::seconds(90));
  EXPECT_EQ(*ParseBackupInterval("0"), std::chrono::seconds(0));
  for (const char* bad : {"", "h", "1x", "-1h", "1h-"}) EXPECT_FALSE(ParseBackupInterval(bad)) << bad;
}

TEST(Backup, KeysCarryTheirTime) {
  const int64_t t = 1796125107;  // 2026-12-01 11:38:27 UTC
  EXPECT_EQ(BackupKey("vol", t), "vol/meta/dump-2026-12-01-113827.json.gz");
  EXPECT_EQ(BackupTime(BackupKey("vol", t)), t);
  EXPECT_FALSE(BackupTime("vol/meta/other.json.gz"));
  EXPECT_FALSE(BackupTime("vol/chunks/0/0/1_0_5"));
}

TEST(Backup, RetentionKeepsRecentThenDailyWeeklyMonthly) {
  const int64_t now = 1796125107, h = 3600, d = 86400;
  std::vector<std::string> keys;
  // Hourly backups for 100 days.
  for (int64_t t = now - 100 * d; t <= now; t += h) keys.push_back(BackupKey("v", t));
  auto gone = BackupsToPrune(keys, now);
  std::set<std::string> del(gone.begin(), gone.end());
  size_t recent = 0, daily = 0, weekly = 0, monthly = 0;
  std::set<int64_t> days, weeks;
  for (auto& k : keys) {
    if (del.count(k)) continue;
    int64_t age = now - *BackupTime(k);
    if (age <= 2 * d) recent++;
    else if (age <= 14 * d) daily++, days.insert(*BackupTime(k) / d);
    else if (age <= 60 * d) weekly++, weeks.insert(*BackupTime(k) / (7 * d));
    else monthly++;
  }
  EXPECT_EQ(recent, 49u);  // every one of the last 48 hours (both ends)
  EXPECT_EQ(daily, days.size());
  EXPECT_GE(daily, 11u);
  EXPECT_LE(daily, 13u);
  EXPECT_EQ(weekly, weeks.size());
  EXPECT_GE(weekly, 6u);
  EXPECT_LE(weekly, 8u);
  EXPECT_GE(monthly, 1u);
  EXPECT_LE(monthly, 3u);
  // Pruning again removes nothing more.
  std::vector<std::string> kept;
  for (auto& k : keys)
    if (!del.count(k)) kept.push_back(k);
  EXPECT_TRUE(BackupsToPrune(kept, now).empty());
}

TEST(Backup, OneClaimPerInterval) {
  auto kv = NewMemKvStore("");
  const auto every = std::chrono::seconds(10);
  EXPECT_TRUE(*ClaimBackup(*kv, every, 1000));
  EXPECT_FALSE(*ClaimBackup(*kv, every, 1001));  // another client, same interval
  EXPECT_FALSE(*ClaimBackup(*kv, every, 1009));
  EXPECT_TRUE(*ClaimBackup(*kv, every, 1010));
  EXPECT_FALSE(*ClaimBackup(*kv, every, 1015));
}

TEST(Backup, ObjectSourceReadsInPieces) {
  MemStore store("backup-test");
  std::string big(9 << 20, 'a');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>(i);
  ASSERT_TRUE(store.put("k", big).ok());
  auto src = NewObjectSource(store, "k");
  std::string got, buf(1 << 20, '\0');
  for (;;) {
    auto n = src->Read(buf.data(), buf.size());
    ASSERT_TRUE(n);
    if (*n == 0) break;
    got.append(buf.data(), *n);
  }
  EXPECT_EQ(got, big);
}

}  // namespace
}  // namespace slicefs
