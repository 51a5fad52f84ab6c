// Conformance: inode flags (immutable, append-only) set through SetAttr's
// kSetFlags, who may set them, and every operation they forbid (EPERM),
// on every engine. The codec keeps them (meta_codec_test covers the layout).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

const Ctx kAlice = User(1000, 1000);

Attr Flags(uint8_t f) { return Attr{.flags = f}; }

TEST_P(MetaTest, FlagsOnlyRootChangesImmutableAndAppend) {
  auto f = Must(meta_->Mknod(root_, kRootIno, "f", S_IFREG | 0644, 0, 0));
  Must(meta_->SetAttr(root_, f.ino, kSetUid | kSetGid, Attr{.uid = 1000, .gid = 1000}));
  EXPECT_ERRNO(meta_->SetAttr(kAlice, f.ino, kSetFlags, Flags(kAttrImmutable)), EPERM);
  EXPECT_ERRNO(meta_->SetAttr(kAlice, f.ino, kSetFlags, Flags(kAttrAppend)), EPERM);
  EXPECT_ERRNO(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(0x80)), EOPNOTSUPP);
  auto a = Must(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(kAttrImmutable | kAttrAppend)));
  EXPECT_EQ(a.flags, kAttrImmutable | kAttrAppend);
  EXPECT_EQ(Must(meta_->GetAttr(kAlice, f.ino)).flags, kAttrImmutable | kAttrAppend);
  EXPECT_OK(meta_->SetAttr(kAlice, f.ino, kSetFlags, Flags(kAttrImmutable | kAttrAppend)));  // no change: fine
  EXPECT_ERRNO(meta_->SetAttr(kAlice, f.ino, kSetFlags, Flags(0)), EPERM);
  EXPECT_OK(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(0)));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).flags, 0);
}

TEST_P(MetaTest, FlagsImmutableForbidsEveryChange) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0777, 0));
  auto f = Must(meta_->Mknod(root_, d.ino, "f", S_IFREG | 0666, 0, 0));
  auto o = Must(meta_->Mknod(root_, d.ino, "o", S_IFREG | 0666, 0, 0));
  Must(meta_->SetXattr(root_, f.ino, "user.k", "v", 0));
  Must(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(kAttrImmutable)));
  for (const Ctx& c : {root_, kAlice}) {
    EXPECT_ERRNO(meta_->Open(c, f.ino, O_WRONLY), EPERM);
    EXPECT_ERRNO(meta_->Open(c, f.ino, O_RDONLY | O_TRUNC), EPERM);
    EXPECT_ERRNO(meta_->Create(c, d.ino, "f", 0644, 0, O_RDWR), EPERM);
    EXPECT_ERRNO(meta_->Truncate(c, f.ino, 0, true), EPERM);
    EXPECT_ERRNO(meta_->Truncate(c, f.ino, 0, false), EPERM);  // on an open handle
    EXPECT_ERRNO(meta_->Fallocate(c, f.ino, 0, 0, 10), EPERM);
    EXPECT_ERRNO(meta_->CopyFileRange(c, o.ino, 0, f.ino, 0, 10), EPERM);
    EXPECT_ERRNO(meta_->Unlink(c, d.ino, "f"), EPERM);
    EXPECT_ERRNO(meta_->Rename(c, d.ino, "f", d.ino, "g", 0), EPERM);
    EXPECT_ERRNO(meta_->Rename(c, d.ino, "o", d.ino, "f", 0), EPERM);
    EXPECT_ERRNO(meta_->Rename(c, d.ino, "o", d.ino, "f", kRenameExchange), EPERM);
    EXPECT_ERRNO(meta_->Link(c, f.ino, d.ino, "l"), EPERM);
    EXPECT_ERRNO(meta_->SetAttr(c, f.ino, kSetMode, Attr{.mode = 0600}), EPERM);
    EXPECT_ERRNO(meta_->SetAttr(c, f.ino, kSetUid, Attr{.uid = 0}), EPERM);
    EXPECT_ERRNO(meta_->SetAttr(c, f.ino, kSetMtime, Attr{.mtimeNs = 5}), EPERM);
    EXPECT_ERRNO(meta_->SetAttr(c, f.ino, kSetMtimeNow, Attr{}), EPERM);
    EXPECT_ERRNO(meta_->SetXattr(c, f.ino, "user.k", "w", 0), EPERM);
    EXPECT_ERRNO(meta_->RemoveXattr(c, f.ino, "user.k"), EPERM);
    EXPECT_ERRNO(meta_->Access(c, f.ino, W_OK), EPERM);
    EXPECT_OK(meta_->Access(c, f.ino, R_OK));
  }
  EXPECT_ERRNO(meta_->WriteSlice(f.ino, 0, SliceRecord{0, 0, 0, 0, 10}, 1), EPERM);
  EXPECT_OK(meta_->Open(kAlice, f.ino, O_RDONLY));
  Must(meta_->Close(f.ino));
  // An immutable directory: no entry added or removed, by anyone.
  Must(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(0)));
  Must(meta_->SetAttr(root_, d.ino, kSetFlags, Flags(kAttrImmutable)));
  for (const Ctx& c : {root_, kAlice}) {
    EXPECT_ERRNO(meta_->Mknod(c, d.ino, "n", S_IFREG | 0644, 0, 0), EPERM);
    EXPECT_ERRNO(meta_->Mkdir(c, d.ino, "n", 0755, 0), EPERM);
    EXPECT_ERRNO(meta_->Symlink(c, d.ino, "n", "t"), EPERM);
    EXPECT_ERRNO(meta_->Create(c, d.ino, "n", 0644, 0, O_RDWR), EPERM);
    EXPECT_ERRNO(meta_->Link(c, f.ino, d.ino, "n"), EPERM);
    EXPECT_ERRNO(meta_->Unlink(c, d.ino, "f"), EPERM);
    EXPECT_ERRNO(meta_->Rename(c, d.ino, "f", kRootIno, "f", 0), EPERM);
    EXPECT_ERRNO(meta_->Rmdir(c, kRootIno, "d"), EPERM);
  }
  // Files inside stay writable.
  EXPECT_OK(meta_->Open(kAlice, f.ino, O_RDWR));
  Must(meta_->Close(f.ino));
}

TEST_P(MetaTest, FlagsAppendOnlyAllowsOnlyAppends) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0777, 0));
  auto f = Must(meta_->Mknod(root_, d.ino, "f", S_IFREG | 0666, 0, 0));
  Must(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(kAttrAppend)));
  EXPECT_ERRNO(meta_->Open(kAlice, f.ino, O_WRONLY), EPERM);
  EXPECT_ERRNO(meta_->Open(root_, f.ino, O_RDWR), EPERM);
  EXPECT_ERRNO(meta_->Open(root_, f.ino, O_WRONLY | O_APPEND | O_TRUNC), EPERM);
  EXPECT_ERRNO(meta_->Create(root_, d.ino, "f", 0644, 0, O_WRONLY), EPERM);
  EXPECT_OK(meta_->Open(kAlice, f.ino, O_WRONLY | O_APPEND));
  Must(meta_->Close(f.ino));
  EXPECT_OK(meta_->Open(kAlice, f.ino, O_RDONLY));
  Must(meta_->Close(f.ino));
  EXPECT_ERRNO(meta_->Truncate(root_, f.ino, 0, false), EPERM);
  EXPECT_ERRNO(meta_->Fallocate(root_, f.ino, kFallocPunchHole | kFallocKeepSize, 0, 10), EPERM);
  EXPECT_OK(meta_->Fallocate(root_, f.ino, 0, 0, 10));
  EXPECT_ERRNO(meta_->Unlink(root_, d.ino, "f"), EPERM);
  EXPECT_ERRNO(meta_->Rename(root_, d.ino, "f", d.ino, "g", 0), EPERM);
  EXPECT_ERRNO(meta_->Link(root_, f.ino, d.ino, "l"), EPERM);
  EXPECT_ERRNO(meta_->SetAttr(root_, f.ino, kSetGid, Attr{.gid = 5}), EPERM);
  EXPECT_OK(meta_->SetAttr(root_, f.ino, kSetMtimeNow, Attr{}));  // touch is fine
  EXPECT_ERRNO(meta_->SetXattr(root_, f.ino, "user.k", "w", 0), EPERM);
  EXPECT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{10, 0, 5, 0, 5}, 1));  // at EOF (10)
  EXPECT_ERRNO(meta_->WriteSlice(f.ino, 0, SliceRecord{14, 0, 5, 0, 5}, 1), EPERM);  // below EOF (15)
  EXPECT_OK(meta_->WriteSlice(f.ino, 0, SliceRecord{20, 0, 5, 0, 5}, 1));  // past EOF: a hole, then data
  // Append-only directory: add yes, remove no.
  Must(meta_->SetAttr(root_, f.ino, kSetFlags, Flags(0)));
  Must(meta_->SetAttr(root_, d.ino, kSetFlags, Flags(kAttrAppend)));
  EXPECT_OK(meta_->Mknod(kAlice, d.ino, "n", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Unlink(kAlice, d.ino, "n"), EPERM);
  EXPECT_ERRNO(meta_->Rename(root_, d.ino, "f", d.ino, "g", 0), EPERM);
  EXPECT_ERRNO(meta_->Rename(root_, kRootIno, "d", kRootIno, "d2", 0), EPERM);
}

}  // namespace
}  // namespace slicefs::metatest
