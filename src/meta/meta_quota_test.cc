// Per-directory stats and directory quotas at the metadata layer: every
// operation keeps the stats equal to a recount from the entries; quotas
// refuse creates and growth past their limits (EDQUOT), across clients
// after a flush; directory renames between quota trees fail EXDEV; the
// summary and tree usage match the tree.
#include <fcntl.h>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

class MetaQuotaTest : public MetaTest {
 protected:
  // Stats seen by this client equal a recount; after a flush the engine
  // value (read by a fresh client) does too.
  void ExpectStatsExact(const std::vector<Ino>& dirs, const std::string& when) {
    for (Ino d : dirs) {
      DirStat want = Must(meta_->RecomputeDirStat(d, false));
      EXPECT_EQ(Must(meta_->GetDirStat(d)), want) << when << ": dir " << d;
    }
    Must(meta_->FlushUsage());
    auto other = OpenClient();
    for (Ino d : dirs) {
      DirStat want = Must(meta_->RecomputeDirStat(d, false));
      DirStat got = Must(other->GetDirStat(d));
      EXPECT_EQ(got.length, want.length) << when << ": engine value of dir " << d;
      EXPECT_EQ(got.space, want.space) << when << ": engine value of dir " << d;
      EXPECT_EQ(got.inodes, want.inodes) << when << ": engine value of dir " << d;
    }
  }
  // A new empty regular file (created and closed).
  Ino NewFile(Ino dir, const std::string& name) {
    Ino f = Must(meta_->Create(root_, dir, name, 0644, 0, O_RDWR)).ino;
    Must(meta_->Close(f));
    return f;
  }
  void Grow(Ino ino, uint32_t len, uint32_t pos = 0) {
    uint64_t id = Must(meta_->NewSliceId());
    Must(meta_->WriteSlice(ino, 0, SliceRecord{pos, id, len, 0, len}, 1));
  }
};

TEST_P(MetaQuotaTest, DirStatsFollowEveryOperation) {
  Ino a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0)).ino;
  Ino b = Must(meta_->Mkdir(root_, kRootIno, "b", 0755, 0)).ino;
  Ino f = NewFile(a, "f");
  Grow(f, 10000);
  EXPECT_EQ(Must(meta_->GetDirStat(a)), (DirStat{10000, 12288, 1}));
  Must(meta_->Symlink(root_, a, "s", "target"));
  Must(meta_->Mknod(root_, a, "n", S_IFIFO | 0644, 0, 0));
  Must(meta_->Mkdir(root_, a, "sub", 0755, 0));
  ExpectStatsExact({kRootIno, a, b}, "after creates");
  Must(meta_->Truncate(root_, f, 3, true));
  ExpectStatsExact({a}, "after truncate");
  Must(meta_->Fallocate(root_, f, 0, 0, 20000));
  ExpectStatsExact({a}, "after fallocate");
  Ino g = NewFile(b, "g");
  EXPECT_EQ(Must(meta_->CopyFileRange(root_, f, 0, g, 0, 20000)), 20000u);
  ExpectStatsExact({a, b}, "after copy_file_range");
  // A hard link: each directory holding a link is charged, also for writes.
  Must(meta_->Link(root_, f, b, "f2"));
  Grow(f, 100, 40000);
  ExpectStatsExact({a, b}, "after link and write");
  EXPECT_EQ(Must(meta_->GetDirStat(b)).length, 20000 + 40100);
  Must(meta_->Rename(root_, a, "f", b, "f3", 0));  // both links now in b
  ExpectStatsExact({a, b}, "after rename across");
  Must(meta_->Rename(root_, a, "sub", b, "sub", 0));
  Must(meta_->Rename(root_, a, "s", b, "g", 0));  // replaces g
  ExpectStatsExact({a, b}, "after rename replacing");
  Must(meta_->Rename(root_, a, "n", b, "f2", kRenameExchange));
  ExpectStatsExact({a, b}, "after exchange");
  Must(meta_->Unlink(root_, b, "f3"));
  Must(meta_->Unlink(root_, a, "n"));  // the exchange put the file link here
  Must(meta_->Rmdir(root_, b, "sub"));
  ExpectStatsExact({kRootIno, a, b}, "after unlink and rmdir");
  Must(meta_->Unlink(root_, b, "g"));
  Must(meta_->Unlink(root_, b, "f2"));
  EXPECT_EQ(Must(meta_->GetDirStat(b)), DirStat{});
  EXPECT_EQ(Must(meta_->GetDirStat(a)), DirStat{});
}

TEST_P(MetaQuotaTest, RecomputeRepairsACorruptedStat) {
  Ino a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0)).ino;
  for (int i = 0; i < 5; i++) Must(meta_->Mknod(root_, a, "n" + std::to_string(i), S_IFREG | 0644, 0, 0));
  Must(meta_->FlushUsage());
  Must(meta_->kv().txn([&](KvTxn& tx) {
    tx.put(keys::DirStat(a), EncodeDirStat(DirStat{7, 7, 77}));
    return Status::OK();
  }));
  EXPECT_EQ(Must(meta_->GetDirStat(a)).inodes, 77);
  EXPECT_EQ(Must(meta_->RecomputeDirStat(a, true)), (DirStat{0, 0, 5}));
  EXPECT_EQ(Must(meta_->GetDirStat(a)), (DirStat{0, 0, 5}));
}

TEST_P(MetaQuotaTest, QuotasRefuseCreatesAndGrowthPastTheirLimits) {
  Ino q = Must(meta_->Mkdir(root_, kRootIno, "q", 0755, 0)).ino;
  Ino inner = Must(meta_->Mkdir(root_, q, "inner", 0755, 0)).ino;
  Ino f = NewFile(inner, "f");
  Grow(f, 8192);
  Must(meta_->SetQuota(q, std::nullopt, 4));  // 2 used (inner, f)
  auto got = Must(meta_->GetQuota(q));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->usedInodes, 2);
  EXPECT_EQ(got->usedSpace, 8192);
  Must(meta_->Mkdir(root_, inner, "d", 0755, 0));
  Must(meta_->Symlink(root_, q, "s", "x"));
  EXPECT_ERRNO(meta_->Mknod(root_, inner, "x", S_IFREG | 0644, 0, 0), EDQUOT);
  EXPECT_ERRNO(meta_->Mkdir(root_, q, "x", 0755, 0), EDQUOT);
  EXPECT_ERRNO(meta_->Link(root_, f, q, "l"), EDQUOT);
  Must(meta_->Mknod(root_, kRootIno, "outside", S_IFREG | 0644, 0, 0));  // not under the quota
  // Raising the limit lets creates continue; a nested space quota.
  Must(meta_->SetQuota(q, std::nullopt, 100));
  Must(meta_->Mknod(root_, inner, "x", S_IFREG | 0644, 0, 0));
  Must(meta_->SetQuota(inner, 16384, std::nullopt));
  EXPECT_ERRNO(meta_->Truncate(root_, f, 20000, true), EDQUOT);
  EXPECT_ERRNO(meta_->Fallocate(root_, f, 0, 0, 20000), EDQUOT);
  EXPECT_ERRNO(meta_->CheckWriteQuota(f, 16385), EDQUOT);
  EXPECT_OK(meta_->CheckWriteQuota(f, 16384));
  Must(meta_->Truncate(root_, f, 16384, true));
  EXPECT_EQ(Must(meta_->GetQuota(inner))->usedSpace, 16384);
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedSpace, 16384);
  // Shrinking frees quota space; removing entries frees inodes.
  Must(meta_->Truncate(root_, f, 0, true));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedSpace, 0);
  const int64_t before = Must(meta_->GetQuota(q))->usedInodes;
  Must(meta_->Unlink(root_, inner, "x"));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, before - 1);
  // A quota's usage equals the tree's, and survives a flush.
  Must(meta_->FlushUsage());
  DirStat u = Must(meta_->TreeUsage(q, false, false));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, u.inodes);
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedSpace, u.space);
  EXPECT_EQ(Must(meta_->TreeUsage(q, true, false)), u);
  EXPECT_EQ(Must(meta_->ListQuotas()).size(), 2u);
  Must(meta_->DeleteQuota(inner));
  EXPECT_ERRNO(meta_->DeleteQuota(inner), ENOENT);
  EXPECT_FALSE(Must(meta_->GetQuota(inner)).has_value());
}

TEST_P(MetaQuotaTest, ClientsSeeEachOthersQuotaUsageAfterAFlush) {
  Ino q = Must(meta_->Mkdir(root_, kRootIno, "q", 0755, 0)).ino;
  MetaOptions slow;
  slow.usageFlushMs = 3600 * 1000;  // only explicit flushes
  auto b = OpenClient(slow);
  Must(meta_->SetQuota(q, std::nullopt, 3));
  Must(b->FlushUsage());  // b learns about the quota
  Must(meta_->Mknod(root_, q, "a1", S_IFREG | 0644, 0, 0));
  Must(meta_->Mknod(root_, q, "a2", S_IFREG | 0644, 0, 0));
  Must(b->Mknod(root_, q, "b1", S_IFREG | 0644, 0, 0));  // b has not seen a's two yet: slack
  Must(meta_->FlushUsage());
  Must(b->FlushUsage());
  EXPECT_ERRNO(b->Mknod(root_, q, "b2", S_IFREG | 0644, 0, 0), EDQUOT);
  Must(meta_->FlushUsage());
  EXPECT_ERRNO(meta_->Mknod(root_, q, "a3", S_IFREG | 0644, 0, 0), EDQUOT);
  EXPECT_EQ(Must(b->GetQuota(q))->usedInodes, 3);
  Must(meta_->SetQuota(q, std::nullopt, 10));
  Must(b->FlushUsage());
  Must(b->Mknod(root_, q, "b2", S_IFREG | 0644, 0, 0));
}

TEST_P(MetaQuotaTest, RenamesBetweenQuotaTrees) {
  Ino q1 = Must(meta_->Mkdir(root_, kRootIno, "q1", 0755, 0)).ino;
  Ino q2 = Must(meta_->Mkdir(root_, kRootIno, "q2", 0755, 0)).ino;
  Ino d = Must(meta_->Mkdir(root_, q1, "d", 0755, 0)).ino;
  Must(meta_->Mkdir(root_, q1, "e", 0755, 0));
  Ino f = NewFile(q1, "f");
  Grow(f, 5000);
  Must(meta_->SetQuota(q1, std::nullopt, 100));
  Must(meta_->SetQuota(q2, 8192, 100));
  EXPECT_ERRNO(meta_->Rename(root_, q1, "d", q2, "d", 0), EXDEV);
  EXPECT_ERRNO(meta_->Rename(root_, q1, "d", kRootIno, "d", 0), EXDEV);
  Must(meta_->Rename(root_, q1, "e", d, "e", 0));  // within one quota tree
  Must(meta_->Rename(root_, q1, "f", q2, "f", 0));  // a file moves its usage
  EXPECT_EQ(Must(meta_->GetQuota(q1))->usedSpace, 0);
  EXPECT_EQ(Must(meta_->GetQuota(q2))->usedSpace, 8192);
  EXPECT_EQ(Must(meta_->GetQuota(q2))->usedInodes, 1);
  Ino g = NewFile(q1, "g");
  Grow(g, 100);
  EXPECT_ERRNO(meta_->Rename(root_, q1, "g", q2, "g", 0), EDQUOT);  // 8192 + 4096 > 8192
  // Removing a quota directory removes its quota.
  Must(meta_->Rename(root_, q2, "f", q1, "f", 0));
  Must(meta_->Unlink(root_, q1, "f"));
  Must(meta_->Rmdir(root_, kRootIno, "q2"));
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::Quota(q2)));
  EXPECT_EQ(Must(meta_->ListQuotas()).size(), 1u);
}

// rmr moves a whole tree into the trash with one rename, restore moves it
// back: the quotas above lose and regain the subtree's usage.
TEST_P(MetaQuotaTest, TreesMoveIntoAndOutOfTheTrashWithTheirUsage) {
  Ino q = Must(meta_->Mkdir(root_, kRootIno, "q", 0755, 0)).ino;
  Ino d = Must(meta_->Mkdir(root_, q, "d", 0755, 0)).ino;
  Ino e = Must(meta_->Mkdir(root_, d, "e", 0755, 0)).ino;
  Grow(NewFile(e, "f"), 5000);
  Grow(NewFile(d, "g"), 10);
  Must(meta_->SetQuota(q, std::nullopt, 100));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, 4);
  Ino hour = Must(meta_->TrashHourDir(MetaImpl::NowNs()));
  Must(meta_->Rename(root_, q, "d", hour, "moved-d", 0));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, 0);
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedSpace, 0);
  Must(meta_->Rename(root_, hour, "moved-d", q, "d", 0));
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, 4);
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedSpace, 8192 + 4096);
  Must(meta_->FlushUsage());
  EXPECT_EQ(Must(meta_->GetQuota(q))->usedInodes, Must(meta_->TreeUsage(q, true, false)).inodes);
}

TEST_P(MetaQuotaTest, SummaryMatchesTheTree) {
  Ino top = Must(meta_->Mkdir(root_, kRootIno, "top", 0755, 0)).ino;
  uint64_t wantLen = 0, wantFiles = 0, wantDirs = 1;
  std::vector<Ino> dirs{top};
  for (int i = 0; i < 4; i++) {
    Ino d = Must(meta_->Mkdir(root_, dirs[static_cast<size_t>(i) / 2], "d" + std::to_string(i), 0755, 0)).ino;
    dirs.push_back(d);
    wantDirs++;
    for (int j = 0; j <= i; j++) {
      Ino f = NewFile(d, "f" + std::to_string(j));
      const uint32_t len = 1000u * static_cast<uint32_t>(i + 1) + static_cast<uint32_t>(j);
      Grow(f, len);
      wantLen += len;
      wantFiles++;
    }
  }
  Must(meta_->Symlink(root_, top, "link", "abc"));
  wantLen += 3;
  wantFiles++;
  SummaryNode s = Must(meta_->Summarize(top, 1, 1));
  EXPECT_EQ(s.length, wantLen);
  EXPECT_EQ(s.files, wantFiles);
  EXPECT_EQ(s.dirs, wantDirs);
  EXPECT_EQ(s.space, static_cast<uint64_t>(Must(meta_->TreeUsage(top, true, false)).space));
  // depth 1: top's children d0 and d1 (largest first, 1 entry + "...").
  ASSERT_EQ(s.children.size(), 2u);
  EXPECT_EQ(s.children[1].name, "...");
  EXPECT_TRUE(s.children[0].children.empty());
  EXPECT_EQ(s.children[0].files + s.children[1].files + 1, wantFiles);
  EXPECT_GE(s.children[0].space, s.children[1].space);
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaQuotaTest, ::testing::Values("mem", "sqlite3", "redis"),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
