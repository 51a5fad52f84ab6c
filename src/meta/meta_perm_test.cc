// Conformance: permission checks as unprivileged callers, sticky
// directories, setgid inheritance, setattr rules (chmod, chown, utimes).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

const Ctx kAlice = User(1000, 1000);
const Ctx kBob = User(1001, 1001);
const Ctx kBobInStaff = User(1001, 1001, {50});

TEST_P(MetaTest, PermissionsOwnerGroupOther) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0750, 0));
  Must(meta_->SetAttr(root_, d.ino, kSetUid | kSetGid, Attr{.uid = 1000, .gid = 50}));
  // Other: no access at all.
  EXPECT_ERRNO(meta_->Lookup(kBob, d.ino, "x"), EACCES);
  EXPECT_ERRNO(meta_->Readdir(kBob, d.ino, "", 10, false), EACCES);
  EXPECT_ERRNO(meta_->Mknod(kBob, d.ino, "x", S_IFREG | 0644, 0, 0), EACCES);
  // Supplementary group 50: r-x, no write.
  EXPECT_ERRNO(meta_->Lookup(kBobInStaff, d.ino, "x"), ENOENT);
  EXPECT_OK(meta_->Readdir(kBobInStaff, d.ino, "", 10, false));
  EXPECT_ERRNO(meta_->Mknod(kBobInStaff, d.ino, "x", S_IFREG | 0644, 0, 0), EACCES);
  EXPECT_ERRNO(meta_->Mkdir(kBobInStaff, d.ino, "x", 0755, 0), EACCES);
  // Owner: full.
  auto f = Must(meta_->Mknod(kAlice, d.ino, "x", S_IFREG | 0640, 0, 0));
  EXPECT_EQ(f.attr.uid, 1000u);
  EXPECT_EQ(f.attr.gid, 1000u);
  EXPECT_ERRNO(meta_->Unlink(kBobInStaff, d.ino, "x"), EACCES);
  EXPECT_ERRNO(meta_->Rename(kBobInStaff, d.ino, "x", d.ino, "y", 0), EACCES);
  EXPECT_ERRNO(meta_->Link(kBobInStaff, f.ino, d.ino, "y"), EACCES);
  EXPECT_ERRNO(meta_->Symlink(kBobInStaff, d.ino, "y", "t"), EACCES);
  // Open checks the file's mode.
  EXPECT_OK(meta_->Open(kAlice, f.ino, O_RDWR));
  EXPECT_ERRNO(meta_->Open(kBob, f.ino, O_RDONLY), EACCES);
  EXPECT_ERRNO(meta_->Access(kBob, f.ino, R_OK), EACCES);
  EXPECT_OK(meta_->Access(kAlice, f.ino, R_OK | W_OK));
  EXPECT_ERRNO(meta_->Access(kAlice, f.ino, X_OK), EACCES);
  EXPECT_ERRNO(meta_->Access(root_, f.ino, X_OK), EACCES);  // no x bit for anyone
  EXPECT_OK(meta_->Access(root_, f.ino, R_OK | W_OK));
  EXPECT_ERRNO(meta_->Truncate(kBob, f.ino, 0, true), EACCES);
  EXPECT_OK(meta_->Truncate(kBob, f.ino, 0, false));  // open handle: no check
  EXPECT_ERRNO(meta_->Open(root_, d.ino, O_WRONLY), EISDIR);
  // Root bypasses permission bits.
  EXPECT_OK(meta_->Unlink(root_, d.ino, "x"));
}

TEST_P(MetaTest, StickyDirectoryProtectsOthersFiles) {
  auto t = Must(meta_->Mkdir(root_, kRootIno, "tmp", 01777, 0));
  Must(meta_->Mknod(kAlice, t.ino, "alice", S_IFREG | 0644, 0, 0));
  Must(meta_->Mknod(kBob, t.ino, "bob", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->Unlink(kBob, t.ino, "alice"), EPERM);
  EXPECT_ERRNO(meta_->Rename(kBob, t.ino, "alice", t.ino, "stolen", 0), EPERM);
  EXPECT_ERRNO(meta_->Rename(kBob, t.ino, "bob", t.ino, "alice", 0), EPERM);  // would replace alice's
  EXPECT_OK(meta_->Rename(kBob, t.ino, "bob", t.ino, "bob2", 0));
  EXPECT_OK(meta_->Unlink(kBob, t.ino, "bob2"));
  EXPECT_OK(meta_->Unlink(kAlice, t.ino, "alice"));
  Must(meta_->Mkdir(kAlice, t.ino, "adir", 0777, 0));
  EXPECT_ERRNO(meta_->Rmdir(kBob, t.ino, "adir"), EPERM);
  EXPECT_OK(meta_->Rmdir(root_, t.ino, "adir"));
}

TEST_P(MetaTest, RenameDirectoryAcrossParentsNeedsWriteOnIt) {
  auto a = Must(meta_->Mkdir(kAlice, kRootIno, "a", 0777, 0));
  auto b = Must(meta_->Mkdir(kAlice, kRootIno, "b", 0777, 0));
  Must(meta_->Mkdir(kAlice, a.ino, "ro", 0555, 0));
  EXPECT_ERRNO(meta_->Rename(kBob, a.ino, "ro", b.ino, "ro", 0), EACCES);
  EXPECT_OK(meta_->Rename(kBob, a.ino, "ro", a.ino, "ro2", 0));  // same parent: fine
  EXPECT_OK(meta_->Rename(root_, a.ino, "ro2", b.ino, "ro", 0));
}

TEST_P(MetaTest, SetgidDirectoryInheritance) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "shared", 02777, 0));
  Must(meta_->SetAttr(root_, d.ino, kSetGid, Attr{.gid = 50}));
  EXPECT_TRUE(Must(meta_->GetAttr(root_, d.ino)).mode & S_ISGID);
  auto sub = Must(meta_->Mkdir(kAlice, d.ino, "sub", 0755, 0));
  EXPECT_EQ(sub.attr.gid, 50u);
  EXPECT_TRUE(sub.attr.mode & S_ISGID);
  auto f = Must(meta_->Mknod(kAlice, d.ino, "f", S_IFREG | 0644, 0, 0));
  EXPECT_EQ(f.attr.gid, 50u);
  EXPECT_FALSE(f.attr.mode & S_ISGID);
  // A group-executable setgid file from a non-member loses setgid.
  auto g = Must(meta_->Mknod(kAlice, d.ino, "g", S_IFREG | 02755, 0, 0));
  EXPECT_FALSE(g.attr.mode & S_ISGID);
  auto h = Must(meta_->Mknod(User(1002, 1002, {50}), d.ino, "h", S_IFREG | 02755, 0, 0));
  EXPECT_TRUE(h.attr.mode & S_ISGID);
  auto plain = Must(meta_->Mkdir(kAlice, kRootIno, "plain", 0755, 0));
  EXPECT_EQ(plain.attr.gid, 1000u);
  EXPECT_FALSE(plain.attr.mode & S_ISGID);
}

TEST_P(MetaTest, ChmodRules) {
  auto f = Must(meta_->Mknod(kAlice, kRootIno, "f", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->SetAttr(kBob, f.ino, kSetMode, Attr{.mode = 0777}), EPERM);
  auto a = Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 0600}));
  EXPECT_EQ(a.mode, 0600u);
  EXPECT_GT(a.ctimeNs, f.attr.ctimeNs);
  // Setting setgid on a file of a group the owner is not in clears it.
  Must(meta_->SetAttr(root_, f.ino, kSetGid, Attr{.gid = 50}));
  a = Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 02755}));
  EXPECT_EQ(a.mode, 0755u);
  a = Must(meta_->SetAttr(User(1000, 1000, {50}), f.ino, kSetMode, Attr{.mode = 02755}));
  EXPECT_EQ(a.mode, 02755u);
  a = Must(meta_->SetAttr(root_, f.ino, kSetMode, Attr{.mode = 04755}));
  EXPECT_EQ(a.mode, 04755u);
}

TEST_P(MetaTest, ChownRulesAndSetidClearing) {
  auto f = Must(meta_->Mknod(kAlice, kRootIno, "f", S_IFREG | 0644, 0, 0));
  EXPECT_ERRNO(meta_->SetAttr(kAlice, f.ino, kSetUid, Attr{.uid = 1001}), EPERM);
  EXPECT_ERRNO(meta_->SetAttr(kBob, f.ino, kSetUid, Attr{.uid = 1000}), EPERM);
  EXPECT_OK(meta_->SetAttr(kAlice, f.ino, kSetUid, Attr{.uid = 1000}));  // no-op chown by owner
  EXPECT_ERRNO(meta_->SetAttr(kAlice, f.ino, kSetGid, Attr{.gid = 50}), EPERM);
  auto a = Must(meta_->SetAttr(User(1000, 1000, {50}), f.ino, kSetGid, Attr{.gid = 50}));
  EXPECT_EQ(a.gid, 50u);
  EXPECT_ERRNO(meta_->SetAttr(kBob, f.ino, kSetGid, Attr{.gid = 1001}), EPERM);
  // chown clears suid, and sgid when group-executable.
  Must(meta_->SetAttr(root_, f.ino, kSetMode, Attr{.mode = 06755}));
  a = Must(meta_->SetAttr(root_, f.ino, kSetUid | kSetGid, Attr{.uid = 1001, .gid = 1001}));
  EXPECT_EQ(a.uid, 1001u);
  EXPECT_EQ(a.gid, 1001u);
  EXPECT_EQ(a.mode, 0755u);
  Must(meta_->SetAttr(root_, f.ino, kSetMode, Attr{.mode = 06745}));  // sgid without group x
  a = Must(meta_->SetAttr(root_, f.ino, kSetUid, Attr{.uid = 1000}));
  EXPECT_EQ(a.mode, 02745u);
  // Directories keep their set-id bits.
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 02755, 0));
  a = Must(meta_->SetAttr(root_, d.ino, kSetUid, Attr{.uid = 1000}));
  EXPECT_EQ(a.mode, 02755u);
}

TEST_P(MetaTest, UtimesRules) {
  auto f = Must(meta_->Mknod(kAlice, kRootIno, "f", S_IFREG | 0666, 0, 0));
  Attr t;
  t.atimeNs = 1000000000;
  t.mtimeNs = 2000000000;
  auto a = Must(meta_->SetAttr(kAlice, f.ino, kSetAtime | kSetMtime, t));
  EXPECT_EQ(a.atimeNs, 1000000000);
  EXPECT_EQ(a.mtimeNs, 2000000000);
  // Explicit times by a non-owner: EPERM even with write permission.
  EXPECT_ERRNO(meta_->SetAttr(kBob, f.ino, kSetMtime, t), EPERM);
  // UTIME_NOW by a non-owner with write permission is allowed.
  a = Must(meta_->SetAttr(kBob, f.ino, kSetAtimeNow | kSetMtimeNow, t));
  EXPECT_GT(a.mtimeNs, 2000000000);
  // UTIME_OMIT: only mtime set, atime untouched.
  auto b = Must(meta_->SetAttr(kAlice, f.ino, kSetMtime, t));
  EXPECT_EQ(b.mtimeNs, 2000000000);
  EXPECT_EQ(b.atimeNs, a.atimeNs);
  // Without write permission, UTIME_NOW is EACCES for non-owners.
  Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 0644}));
  EXPECT_ERRNO(meta_->SetAttr(kBob, f.ino, kSetMtimeNow, t), EACCES);
  // Kernel-provided ctime.
  Attr c;
  c.ctimeNs = 5;
  EXPECT_EQ(Must(meta_->SetAttr(root_, f.ino, kSetCtime, c)).ctimeNs, 5);
}

}  // namespace
}  // namespace slicefs::metatest
