// Vfs semantics without FUSE, over the in-memory engine and store: handles,
// O_APPEND, attributes merged with uncommitted writes, truncate ordering,
// directory streams with stable offsets, keep-cache decisions.
#include "vfs/vfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <set>

#include "vfs/volume.h"

namespace slicefs {
namespace {

class VfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    VolumeFormat fmt;
    fmt.name = "vfstest";
    fmt.uuid = "uuid-" + std::to_string(++n);
    fmt.storage = "mem";
    fmt.bucket = "vfs-test-" + std::to_string(n);
    fmt.trashDays = 0;
    fmt.blockSizeKiB = 64;
    // The real open path: format, then open by URL (mem:// names are
    // shared within the process).
    url_ = "mem://vfs-test-" + std::to_string(n);
    const std::string& url = url_;
    auto made = Volume::Create(url, fmt, false);
    ASSERT_TRUE(made.has_value()) << made.error().ToString();
    VolumeOptions vo;
    vo.data.compactInBackground = false;
    auto vol = Volume::Open(url, vo);
    ASSERT_TRUE(vol.has_value()) << vol.error().ToString();
    volume_ = std::move(*vol);
    vfs_ = &volume_->vfs();
  }

  uint64_t CreateFile(const std::string& name, int flags = O_RDWR) {
    auto r = vfs_->Create(ctx_, kRootIno, name, S_IFREG | 0644, 022, flags | O_CREAT);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r ? r->second.fh : 0;
  }
  std::string Read(uint64_t fh, uint64_t off, size_t n) {
    std::string s(n, '\0');
    auto r = vfs_->Read(fh, off, std::span<char>(s.data(), n));
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    s.resize(r ? *r : 0);
    return s;
  }
  void Write(uint64_t fh, uint64_t off, const std::string& s) {
    auto r = vfs_->Write(fh, off, std::span<const char>(s.data(), s.size()));
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(*r, s.size());
  }
  Ino InoOf(const std::string& name) {
    auto e = vfs_->Lookup(ctx_, kRootIno, name);
    return e ? e->ino : 0;
  }

  Ctx ctx_ = Ctx::Root();
  std::string url_;
  std::unique_ptr<Volume> volume_;
  Vfs* vfs_ = nullptr;
};

TEST_F(VfsTest, PendingWritesShowInAttributesAndReads) {
  uint64_t fh = CreateFile("f");
  Ino ino = InoOf("f");
  Write(fh, 0, "hello");
  Write(fh, 100, "world");
  auto a = vfs_->GetAttr(ctx_, ino);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->length, 105u);  // before any commit
  EXPECT_TRUE(vfs_->Dirty(ino));
  EXPECT_EQ(Read(fh, 0, 200), "hello" + std::string(95, '\0') + "world");
  ASSERT_TRUE(vfs_->Flush(fh, 1).ok());
  EXPECT_FALSE(vfs_->Dirty(ino));
  // After flush the committed length is in metadata itself.
  auto m = vfs_->meta().GetAttr(ctx_, ino);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->length, 105u);
  ASSERT_TRUE(vfs_->Release(fh).ok());
  EXPECT_TRUE(vfs_->Read(fh, 0, std::span<char>()).error().is(EBADF));
}

TEST_F(VfsTest, AppendGoesToTheEnd) {
  uint64_t w = CreateFile("a");
  Write(w, 0, "12345");
  auto o = vfs_->Open(ctx_, InoOf("a"), O_WRONLY | O_APPEND);
  ASSERT_TRUE(o.has_value());
  Write(o->fh, 0, "ab");  // offset ignored
  Write(w, 7, "X");       // the other handle extends the file
  Write(o->fh, 0, "cd");
  ASSERT_TRUE(vfs_->Flush(o->fh, 1).ok());
  EXPECT_EQ(Read(w, 0, 100), "12345abXcd");
  vfs_->Release(o->fh);
  vfs_->Release(w);
}

TEST_F(VfsTest, TruncateDropsBufferedBytesBeyondIt) {
  uint64_t fh = CreateFile("t");
  Ino ino = InoOf("t");
  Write(fh, 0, std::string(200000, 'x'));  // spans several 64 KiB blocks, still buffered
  Attr none;
  auto a = vfs_->SetAttr(ctx_, ino, 0, none, 10, fh);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->length, 10u);
  EXPECT_EQ(Read(fh, 0, 300000), std::string(10, 'x'));
  Write(fh, 20, "y");
  ASSERT_TRUE(vfs_->Flush(fh, 1).ok());
  EXPECT_EQ(Read(fh, 0, 300000), std::string(10, 'x') + std::string(10, '\0') + "y");
  vfs_->Release(fh);
  // O_TRUNC at open.
  auto o = vfs_->Open(ctx_, ino, O_RDWR | O_TRUNC);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->attr.length, 0u);
  EXPECT_EQ(Read(o->fh, 0, 100), "");
  vfs_->Release(o->fh);
}

TEST_F(VfsTest, AccessModesAreEnforcedPerHandle) {
  uint64_t fh = CreateFile("m");
  vfs_->Release(fh);
  auto r = vfs_->Open(ctx_, InoOf("m"), O_RDONLY);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(vfs_->Write(r->fh, 0, std::span<const char>("x", 1)).error().is(EBADF));
  EXPECT_TRUE(vfs_->Fallocate(ctx_, r->fh, 0, 0, 10).is(EBADF));
  vfs_->Release(r->fh);
  auto w = vfs_->Open(ctx_, InoOf("m"), O_WRONLY);
  ASSERT_TRUE(w.has_value());
  char c;
  EXPECT_TRUE(vfs_->Read(w->fh, 0, std::span<char>(&c, 1)).error().is(EBADF));
  vfs_->Release(w->fh);
}

TEST_F(VfsTest, KeepCacheOnlyWhenUnchanged) {
  uint64_t fh = CreateFile("k");
  Ino ino = InoOf("k");
  Write(fh, 0, "abc");
  ASSERT_TRUE(vfs_->Flush(fh, 1).ok());
  vfs_->Release(fh);
  auto o1 = vfs_->Open(ctx_, ino, O_RDONLY);
  ASSERT_TRUE(o1.has_value());
  EXPECT_TRUE(o1->keepCache) << "our own flushed writes are what the cache holds";
  vfs_->Release(o1->fh);
  // A change behind our back (another client): truncate through Meta.
  ASSERT_TRUE(vfs_->meta().Truncate(ctx_, ino, 1, true).has_value());
  auto o2 = vfs_->Open(ctx_, ino, O_RDONLY);
  ASSERT_TRUE(o2.has_value());
  EXPECT_FALSE(o2->keepCache);
  EXPECT_EQ(Read(o2->fh, 0, 10), "a");
  vfs_->Release(o2->fh);
  auto o3 = vfs_->Open(ctx_, ino, O_RDONLY);
  EXPECT_TRUE(o3->keepCache);
  vfs_->Release(o3->fh);
}

TEST_F(VfsTest, DirectoryStreamIsStableAcrossChanges) {
  for (int i = 0; i < 1500; i++) {
    ASSERT_TRUE(vfs_->Mknod(ctx_, kRootIno, "e" + std::to_string(i), S_IFREG | 0644, 0, 0).has_value());
  }
  auto dh = vfs_->OpenDir(ctx_, kRootIno);
  ASSERT_TRUE(dh.has_value());
  std::vector<std::string> names;
  uint64_t off = 0;
  int calls = 0;
  while (true) {
    size_t got = 0;
    ASSERT_TRUE(vfs_->ReadDir(ctx_, *dh, off, calls % 2 == 0, [&](const DirEntry& e, uint64_t next) {
      if (got == 100) return false;  // a small "buffer"
      names.push_back(e.name);
      off = next;
      got++;
      return true;
    }).ok());
    if (got == 0) break;
    // Change the directory between calls: remove listed and unlisted
    // names, add new ones.
    if (calls++ < 5) {
      (void)vfs_->Unlink(ctx_, kRootIno, "e" + std::to_string(calls * 7));
      (void)vfs_->Unlink(ctx_, kRootIno, "e" + std::to_string(1400 + calls));
      (void)vfs_->Mknod(ctx_, kRootIno, "new" + std::to_string(calls), S_IFREG | 0644, 0, 0);
    }
  }
  std::multiset<std::string> seen(names.begin(), names.end());
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
  for (int i = 0; i < 1500; i++) {
    std::string n = "e" + std::to_string(i);
    bool touched = (i % 7 == 0 && i <= 35) || (i > 1400 && i <= 1405);
    if (!touched) EXPECT_EQ(seen.count(n), 1u) << n;
    else EXPECT_LE(seen.count(n), 1u) << n;
  }
  // Offset 0 starts over.
  size_t again = 0;
  ASSERT_TRUE(vfs_->ReadDir(ctx_, *dh, 0, false, [&](const DirEntry&, uint64_t) { return ++again < 3; }).ok());
  EXPECT_EQ(again, 3u);
  ASSERT_TRUE(vfs_->ReleaseDir(*dh).ok());
  EXPECT_TRUE(vfs_->ReleaseDir(*dh).is(EBADF));
}

TEST_F(VfsTest, VirtualXattrsOnRootOnlyForOwner) {
  auto url = vfs_->GetXattr(ctx_, kRootIno, kXattrMetaUrl);
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url, url_);
  Ctx other;
  other.uid = 1000;
  other.gid = 1000;
  EXPECT_TRUE(vfs_->GetXattr(other, kRootIno, kXattrMetaUrl).error().is(ENODATA));
  EXPECT_TRUE(vfs_->SetXattr(ctx_, kRootIno, kXattrPid, "1", 0).is(EPERM));
  auto names = vfs_->ListXattr(ctx_, kRootIno);
  ASSERT_TRUE(names.has_value());
  EXPECT_TRUE(names->empty());
}

TEST_F(VfsTest, RenameFlagsAreChecked) {
  EXPECT_TRUE(vfs_->Rename(ctx_, kRootIno, "a", kRootIno, "b", kRenameNoReplace | kRenameExchange).is(EINVAL));
  EXPECT_TRUE(vfs_->Rename(ctx_, kRootIno, "a", kRootIno, "b", 8).is(EINVAL));
}

}  // namespace
}  // namespace slicefs
