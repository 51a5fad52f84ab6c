// Meta::RemoveTree and Meta::CloneFile on every engine: counts, usage, slice
// references and the volume invariants after each.
#include <fcntl.h>
#include <sys/stat.h>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

class MetaTreeTest : public MetaTest {};

TEST_P(MetaTreeTest, RemoveTreeRemovesWideAndDeepTreesInBatches) {
  const auto before = Must(meta_->StatFs(root_, kRootIno));
  auto top = Must(meta_->Mkdir(root_, kRootIno, "top", 0755, 0));
  // 1,500 files in one directory (more than one batch), a chain of 20
  // nested directories, hard links and symlinks.
  auto wide = Must(meta_->Mkdir(root_, top.ino, "wide", 0755, 0));
  for (int i = 0; i < 1500; i++) Must(meta_->Mknod(root_, wide.ino, "f" + std::to_string(i), S_IFREG | 0644, 0, 0));
  Ino deep = top.ino;
  for (int i = 0; i < 20; i++) deep = Must(meta_->Mkdir(root_, deep, "n" + std::to_string(i), 0755, 0)).ino;
  auto data = Must(meta_->Create(root_, deep, "data", 0644, 0, O_RDWR));
  ASSERT_OK(meta_->Close(data.ino));
  uint64_t s = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(data.ino, 0, SliceRecord{0, s, 4096, 0, 4096}, 1));
  Must(meta_->Link(root_, data.ino, kRootIno, "outside-link"));  // survives
  Must(meta_->Symlink(root_, deep, "sl", "data"));
  uint64_t calls = 0, last = 0;
  const uint64_t n = Must(meta_->RemoveTree(kRootIno, "top", [&](uint64_t k) {
    calls++;
    EXPECT_GE(k, last);
    last = k;
    return true;
  }));
  EXPECT_EQ(n, 1 + 1 + 1500 + 20 + 2u);  // top, wide, files, chain, data + sl
  EXPECT_GT(calls, 2u);
  EXPECT_ERRNO(meta_->Lookup(root_, kRootIno, "top"), ENOENT);
  auto kept = Must(meta_->Lookup(root_, kRootIno, "outside-link"));
  EXPECT_EQ(kept.attr.nlink, 1u);
  EXPECT_EQ(Must(meta_->ReadChunk(data.ino, 0)).size(), 1u);
  CheckInvariants(meta_->kv());
  ASSERT_OK(meta_->FlushUsage());
  const auto after = Must(meta_->StatFs(root_, kRootIno));
  EXPECT_EQ(after.usedInodes, before.usedInodes + 1);  // only the linked file is left
  // Stopping early keeps what was removed and reports ECANCELED.
  auto again = Must(meta_->Mkdir(root_, kRootIno, "again", 0755, 0));
  for (int i = 0; i < 2500; i++) Must(meta_->Mknod(root_, again.ino, "f" + std::to_string(i), S_IFREG | 0644, 0, 0));
  auto r = meta_->RemoveTree(kRootIno, "again", [](uint64_t) { return false; });
  EXPECT_ERRNO(r, ECANCELED);
  const size_t left = Must(meta_->Readdir(root_, again.ino, "", 5000, false)).size();
  EXPECT_GT(left, 0u);
  EXPECT_LT(left, 2500u);
  CheckInvariants(meta_->kv());
}

TEST_P(MetaTreeTest, CloneFileSharesSlicesWithReferences) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0777, 0));
  auto f = Must(meta_->Create(root_, d.ino, "f", 0640, 0, O_RDWR));
  ASSERT_OK(meta_->Close(f.ino));
  uint64_t s1 = Must(meta_->NewSliceId()), s2 = Must(meta_->NewSliceId());
  ASSERT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{0, s1, 100, 0, 100}, 1));
  ASSERT_OK(meta_->WriteSlice(f.ino, 1, SliceRecord{0, s2, 50, 0, 50}, 1));
  ASSERT_OK(meta_->SetXattr(root_, f.ino, "user.k", "v", 0));
  auto c = Must(meta_->CloneFile(root_, f.ino, kRootIno, "c", /*preserve=*/true));
  EXPECT_NE(c.ino, f.ino);
  EXPECT_EQ(c.attr.length, uint64_t(kChunkSize) + 50);
  EXPECT_EQ(Must(meta_->ReadChunk(c.ino, 0)), Must(meta_->ReadChunk(f.ino, 0)));
  EXPECT_EQ(Must(meta_->ReadChunk(c.ino, 1)), Must(meta_->ReadChunk(f.ino, 1)));
  EXPECT_EQ(Must(meta_->GetXattr(root_, c.ino, "user.k")), "v");
  CheckInvariants(meta_->kv());  // slice reference counts match the records
  EXPECT_ERRNO(meta_->CloneFile(root_, f.ino, kRootIno, "c", false), EEXIST);
  // As another user: read permission needed; the copy is theirs.
  EXPECT_ERRNO(meta_->CloneFile(User(1000, 1000), f.ino, d.ino, "u", false), EACCES);
  Attr mode;
  mode.mode = 0644;
  Must(meta_->SetAttr(root_, f.ino, kSetMode, mode));
  auto u = Must(meta_->CloneFile(User(1000, 1000), f.ino, d.ino, "u", false));
  EXPECT_EQ(u.attr.uid, 1000u);
  EXPECT_ERRNO(meta_->GetXattr(root_, u.ino, "user.k"), ENODATA);  // no preserve: no xattrs
  // Removing the source keeps the clones' slices.
  ASSERT_OK(meta_->Unlink(root_, d.ino, "f"));
  EXPECT_EQ(Must(meta_->ReadChunk(c.ino, 0)).size(), 1u);
  CheckInvariants(meta_->kv());
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaTreeTest, ::testing::ValuesIn(testing::EngineNames()),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
