// Conformance: data mapping (slice ids, chunk records, truncate, fallocate,
// copy_file_range, compaction) and slice reference counts.
#include <fcntl.h>
#include <sys/stat.h>

#include <mutex>
#include <set>

#include "common/encoding.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

// The raw reference count of a slice (nullopt when the K key is absent).
std::optional<int64_t> Refs(KvStore& kv, uint64_t id, uint32_t size) {
  std::optional<int64_t> out;
  Status st = kv.readOnly([&](KvTxn& tx) -> Status {
    auto v = tx.get(keys::SliceRef(id, size));
    if (!v) return v.error();
    out = *v ? std::optional<int64_t>(DecodeCounter(**v)) : std::nullopt;
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST_P(MetaTest, SliceIdsAreUniqueAcrossClients) {
  MetaOptions small;
  small.sliceIdBatch = 3;
  auto other = OpenClient(small);
  std::set<uint64_t> ids;
  for (int i = 0; i < 20; i++) {
    EXPECT_TRUE(ids.insert(Must(meta_->NewSliceId())).second);
    EXPECT_TRUE(ids.insert(Must(other->NewSliceId())).second);
  }
  EXPECT_EQ(ids.count(0), 0u);
}

TEST_P(MetaTest, WriteSliceAppendsRecordsAndExtendsLength) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t s1 = Must(meta_->NewSliceId()), s2 = Must(meta_->NewSliceId());
  SliceRecord r1{0, s1, 4096, 0, 4096}, r2{100, s2, 1000, 10, 500};
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, r1, 111));
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, r2, 222));
  ASSERT_OK(meta_->WriteSlice(f.ino, 2, SliceRecord{10, s2, 1000, 0, 20}, 333));
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)), (std::vector<SliceRecord>{r1, r2}));
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 1)).empty());
  auto a = Must(meta_->GetAttr(root_, f.ino));
  EXPECT_EQ(a.length, 2 * kChunkSize + 30);
  EXPECT_EQ(a.mtimeNs, 333);
  // A write inside the file does not shrink it.
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s1, 4096, 0, 10}, 444));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 2 * kChunkSize + 30);
  EXPECT_EQ(Refs(meta_->kv(), s1, 4096), 2);
  EXPECT_EQ(Refs(meta_->kv(), s2, 1000), 2);
  EXPECT_ERRNO(meta_->WriteSlice(f.ino, 0, SliceRecord{uint32_t(kChunkSize - 10), s1, 4096, 0, 20}, 1), EINVAL);
  EXPECT_ERRNO(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s1, 4096, 4000, 200}, 1), EINVAL);
  EXPECT_ERRNO(meta_->WriteSlice(424242424, 0, r1, 1), ENOENT);
  EXPECT_ERRNO(meta_->WriteSlice(kRootIno, 0, r1, 1), EPERM);
  ASSERT_OK(impl().FlushUsage());
  EXPECT_EQ(CheckInvariants(meta_->kv()).usedSpace, Must(meta_->StatFs(root_, kRootIno)).totalSpace -
                                                       Must(meta_->StatFs(root_, kRootIno)).availSpace);
}

TEST_P(MetaTest, TruncateShrinkCutsRecordsAndFreesSlices) {
  DeleterLog log;
  meta_->SetSliceDeleter(log.fn());
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t a = Must(meta_->NewSliceId()), b = Must(meta_->NewSliceId()), c = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, a, 1000, 0, 1000}, 1));
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{600, b, 300, 0, 300}, 1));
  ASSERT_OK(meta_->WriteSlice(f.ino, 1, SliceRecord{0, c, 50, 0, 50}, 1));
  auto t = Must(meta_->Truncate(root_, f.ino, 500, true));
  EXPECT_EQ(t.length, 500u);
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)), (std::vector<SliceRecord>{{0, a, 1000, 0, 500}}));
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 1)).empty());
  EXPECT_EQ(log.count(b), 1u);
  EXPECT_EQ(log.count(c), 1u);
  EXPECT_EQ(log.count(a), 0u);
  EXPECT_FALSE(Refs(meta_->kv(), b, 300).has_value());
  EXPECT_EQ(Refs(meta_->kv(), a, 1000), 1);
  // Growing leaves a hole: no new records.
  t = Must(meta_->Truncate(root_, f.ino, 3 * kChunkSize, true));
  EXPECT_EQ(t.length, 3 * kChunkSize);
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)).size(), 1u);
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 2)).empty());
  // Truncate to a chunk boundary drops the whole chunk.
  ASSERT_OK(meta_->Truncate(root_, f.ino, 0, true));
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 0)).empty());
  EXPECT_EQ(log.count(a), 1u);
  EXPECT_ERRNO(meta_->Truncate(root_, kRootIno, 0, true), EISDIR);
  auto s = Must(meta_->Symlink(root_, kRootIno, "ln", "x"));
  EXPECT_ERRNO(meta_->Truncate(root_, s.ino, 0, true), EINVAL);
}

TEST_P(MetaTest, FallocateModes) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 8192, 0, 8192}, 1));
  ASSERT_OK(meta_->Fallocate(root_, f.ino, 0, 0, 100000));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 100000u);
  ASSERT_OK(meta_->Fallocate(root_, f.ino, kFallocKeepSize, 0, 200000));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 100000u);
  ASSERT_OK(meta_->Fallocate(root_, f.ino, kFallocPunchHole | kFallocKeepSize, 1000, 2000));
  auto recs = Must(meta_->ReadChunk(f.ino, 0));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1], (SliceRecord{1000, 0, 2000, 0, 2000}));
  auto view = BuildChunkView(recs);
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[1].id, 0u);
  EXPECT_EQ(view[2], (SliceRecord{3000, s, 8192, 3000, 5192}));
  // Punching past EOF is clipped to the length; the length is kept.
  ASSERT_OK(meta_->Fallocate(root_, f.ino, kFallocPunchHole | kFallocKeepSize, 99000, 10000));
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)).back(), (SliceRecord{99000, 0, 1000, 0, 1000}));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 100000u);
  // Zero range extends unless keep-size.
  ASSERT_OK(meta_->Fallocate(root_, f.ino, kFallocZeroRange, 99000, 2000));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).length, 101000u);
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)).back(), (SliceRecord{99000, 0, 2000, 0, 2000}));
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, kFallocPunchHole, 0, 10), EOPNOTSUPP);
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, 0x40, 0, 10), EOPNOTSUPP);
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, kFallocPunchHole | kFallocZeroRange | kFallocKeepSize, 0, 10),
               EINVAL);
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, 0, 0, 0), EINVAL);
  EXPECT_ERRNO(meta_->Fallocate(root_, kRootIno, 0, 0, 10), EISDIR);
  auto fifo = Must(meta_->Mknod(root_, kRootIno, "p", S_IFIFO | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Fallocate(root_, fifo.ino, 0, 0, 10), ENODEV);
  EXPECT_EQ(Refs(meta_->kv(), s, 8192), 1);  // holes take no references
}

TEST_P(MetaTest, CopyFileRangeSharesSlices) {
  auto src = Must(meta_->Create(root_, kRootIno, "src", 0644, 0, O_RDWR));
  auto dst = Must(meta_->Create(root_, kRootIno, "dst", 0644, 0, O_RDWR));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(src.ino, 0, SliceRecord{1000, s, 5000, 0, 5000}, 1));
  // Copy [0, 6000) of src (a 1000-byte gap, then the slice) to just before
  // the end of chunk 0 of dst, so it straddles the chunk boundary.
  const uint64_t offOut = kChunkSize - 3000;
  EXPECT_EQ(Must(meta_->CopyFileRange(root_, src.ino, 0, dst.ino, offOut, 100000)), 6000u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, dst.ino)).length, offOut + 6000);
  auto c0 = Must(meta_->ReadChunk(dst.ino, 0));
  auto c1 = Must(meta_->ReadChunk(dst.ino, 1));
  ASSERT_EQ(c0.size(), 2u);
  EXPECT_EQ(c0[0], (SliceRecord{uint32_t(kChunkSize - 3000), 0, 1000, 0, 1000}));
  EXPECT_EQ(c0[1], (SliceRecord{uint32_t(kChunkSize - 2000), s, 5000, 0, 2000}));
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_EQ(c1[0], (SliceRecord{0, s, 5000, 2000, 3000}));
  EXPECT_EQ(Refs(meta_->kv(), s, 5000), 3);
  EXPECT_EQ(Must(meta_->CopyFileRange(root_, src.ino, 7000, dst.ino, 0, 10)), 0u);  // past EOF
  EXPECT_ERRNO(meta_->CopyFileRange(root_, src.ino, 0, src.ino, 100, 1000), EINVAL);
  EXPECT_OK(meta_->CopyFileRange(root_, src.ino, 0, src.ino, 6000, 1000));
  EXPECT_ERRNO(meta_->CopyFileRange(root_, src.ino, 0, kRootIno, 0, 10), EISDIR);
  // The slice stays referenced until every copy is gone.
  DeleterLog log;
  meta_->SetSliceDeleter(log.fn());
  ASSERT_OK(meta_->Truncate(root_, src.ino, 0, false));
  EXPECT_EQ(log.count(s), 0u);
  ASSERT_OK(meta_->Truncate(root_, dst.ino, 0, false));
  EXPECT_EQ(log.count(s), 1u);
}

TEST_P(MetaTest, CompactChunkSwapsOnlyUnchangedRecords) {
  DeleterLog log;
  meta_->SetSliceDeleter(log.fn());
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t a = Must(meta_->NewSliceId()), b = Must(meta_->NewSliceId()), c = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, a, 100, 0, 100}, 1));
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{50, b, 100, 0, 100}, 1));
  auto expected = Must(meta_->ReadChunk(f.ino, 0));
  std::vector<SliceRecord> replacement{{0, c, 150, 0, 150}};
  EXPECT_ERRNO(meta_->CompactChunk(f.ino, 0, {expected[1]}, replacement), ECANCELED);
  // A record appended after `expected` was read survives, after the replacement.
  uint64_t d = Must(meta_->NewSliceId());
  SliceRecord later{120, d, 10, 0, 10};
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, later, 1));
  ASSERT_OK(meta_->CompactChunk(f.ino, 0, expected, replacement));
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 0)), (std::vector<SliceRecord>{replacement[0], later}));
  EXPECT_EQ(log.count(d), 0u);
  EXPECT_EQ(log.count(a), 1u);
  EXPECT_EQ(log.count(b), 1u);
  EXPECT_EQ(Refs(meta_->kv(), c, 150), 1);
  EXPECT_ERRNO(meta_->CompactChunk(f.ino, 0, expected, replacement), ECANCELED);
  // A truncate trims records in place: a compaction read before it cancels.
  auto before = Must(meta_->ReadChunk(f.ino, 0));
  ASSERT_OK(meta_->Truncate(root_, f.ino, 60, false));
  EXPECT_ERRNO(meta_->CompactChunk(f.ino, 0, before, {{0, c, 150, 0, 150}}), ECANCELED);
  EXPECT_ERRNO(meta_->CompactChunk(31313131, 0, {}, {}), ENOENT);
}

TEST_P(MetaTest, DeletedFileDataIsRemovedByTheWorker) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  ASSERT_OK(meta_->Close(f.ino));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 4096, 0, 4096}, 1));
  ASSERT_OK(meta_->WriteSlice(f.ino, 3, SliceRecord{0, s, 4096, 0, 4096}, 1));
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "f"));
  EXPECT_ERRNO(meta_->GetAttr(root_, f.ino), ENOENT);
  // Without a deleter the records wait.
  EXPECT_EQ(Must(impl().ProcessDeletions()), 0);
  EXPECT_EQ(Refs(meta_->kv(), s, 4096), 2);
  EXPECT_EQ(Must(meta_->ReadChunk(f.ino, 3)).size(), 1u);
  DeleterLog log;
  meta_->SetSliceDeleter(log.fn());
  // The background worker is kicked by SetSliceDeleter; run it directly too.
  (void)impl().ProcessDeletions();
  EXPECT_EQ(log.count(s), 1u);
  EXPECT_FALSE(Refs(meta_->kv(), s, 4096).has_value());
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 0)).empty());
  EXPECT_TRUE(Must(meta_->ReadChunk(f.ino, 3)).empty());
  bool anyD = true;
  ASSERT_OK(meta_->kv().readOnly([&](KvTxn& tx) -> Status {
    auto kvs = tx.scan("D", "E", 10);
    if (!kvs) return kvs.error();
    anyD = !kvs->empty();
    return Status::OK();
  }));
  EXPECT_FALSE(anyD);
}

TEST_P(MetaTest, ZeroRefSlicesWaitForADeleter) {
  auto f = Must(meta_->Create(root_, kRootIno, "f", 0644, 0, O_RDWR));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s, 100, 0, 100}, 1));
  ASSERT_OK(meta_->Truncate(root_, f.ino, 0, false));
  EXPECT_EQ(Refs(meta_->kv(), s, 100), 0);  // kept at zero
  DeleterLog log;
  meta_->SetSliceDeleter(log.fn());
  for (int i = 0; i < 100 && log.count(s) == 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(log.count(s), 1u);
  EXPECT_FALSE(Refs(meta_->kv(), s, 100).has_value());
}

}  // namespace
}  // namespace slicefs::metatest
