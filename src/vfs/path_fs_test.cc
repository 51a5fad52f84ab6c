// PathFs over a real Volume (mem engine and store): resolution with symlinks,
// "..", loops and permissions; files by path; paging; rename and unlink.
#include "vfs/path_fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "meta/acl.h"
#include "vfs/volume.h"

namespace slicefs {
namespace {

class PathFsTest : public ::testing::Test {
 protected:
  virtual bool WithAcls() const { return false; }
  void SetUp() override {
    static int n = 0;
    VolumeFormat fmt;
    fmt.enableAcl = WithAcls();
    fmt.name = "pathfs";
    fmt.storage = "mem";
    fmt.bucket = "pathfs-test-" + std::to_string(++n);
    fmt.trashDays = 0;
    fmt.blockSizeKiB = 64;
    const std::string url = "mem://pathfs-test-" + std::to_string(n);
    auto made = Volume::Create(url, fmt, false);
    ASSERT_TRUE(made.has_value()) << made.error().ToString();
    auto v = Volume::Open(url, VolumeOptions{});
    ASSERT_TRUE(v.has_value()) << v.error().ToString();
    vol_ = std::move(*v);
    fs_ = std::make_unique<PathFs>(vol_->vfs(), Ctx::Root());
  }
  void WriteFile(PathFs& fs, const std::string& path, const std::string& data) {
    auto f = fs.Open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(f.has_value()) << path << ": " << f.error().ToString();
    auto w = f->Write(0, std::span<const char>(data.data(), data.size()));
    ASSERT_TRUE(w.has_value());
    ASSERT_TRUE(f->Close().ok());
  }
  std::string ReadFile(const std::string& path) {
    auto f = fs_->Open(path, O_RDONLY);
    if (!f) return "<" + f.error().ToString() + ">";
    std::string out(1 << 20, '\0');
    auto r = f->Read(0, std::span<char>(out.data(), out.size()));
    if (!r) return "<" + r.error().ToString() + ">";
    out.resize(*r);
    return out;
  }
  std::unique_ptr<Volume> vol_;
  std::unique_ptr<PathFs> fs_;
};

TEST_F(PathFsTest, SplitRejectsRelativeAndLongNames) {
  EXPECT_TRUE(SplitVolumePath("a/b").error().is(EINVAL));
  EXPECT_TRUE(SplitVolumePath("").error().is(EINVAL));
  EXPECT_TRUE(SplitVolumePath("/" + std::string(256, 'x')).error().is(ENAMETOOLONG));
  EXPECT_EQ(*SplitVolumePath("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitVolumePath("/").value().empty());
}

TEST_F(PathFsTest, FilesAndDirectoriesByPath) {
  ASSERT_TRUE(fs_->MkdirAll("/a/b/c").ok());
  ASSERT_TRUE(fs_->MkdirAll("/a/b/c").ok());  // idempotent
  WriteFile(*fs_, "/a/b/c/f.txt", "hello");
  EXPECT_EQ(ReadFile("/a/b/c/f.txt"), "hello");
  EXPECT_EQ(ReadFile("/a/./b/../b/c/f.txt"), "hello");
  EXPECT_EQ(ReadFile("/../a/b/c/f.txt"), "hello");  // ".." at the root stays there
  auto st = fs_->Stat("/a/b/c/f.txt");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->length, 5u);
  EXPECT_EQ(st->type, FileType::kFile);
  EXPECT_TRUE(fs_->Stat("/a/b/c/f.txt/x").error().is(ENOTDIR));
  EXPECT_TRUE(fs_->Stat("/a/nope").error().is(ENOENT));
  EXPECT_TRUE(fs_->MkdirAll("/a/b/c/f.txt/d").is(ENOTDIR));
  EXPECT_TRUE(fs_->Open("/a/b/c/f.txt", O_RDONLY | O_DIRECTORY).error().is(ENOTDIR));
  EXPECT_TRUE(fs_->Open("/a", O_WRONLY).error().is(EISDIR));
  EXPECT_TRUE(fs_->Open("/a/b/c/f.txt", O_WRONLY | O_CREAT | O_EXCL).error().is(EEXIST));

  ASSERT_TRUE(fs_->Rename("/a/b/c/f.txt", "/a/g.txt").ok());
  EXPECT_EQ(ReadFile("/a/g.txt"), "hello");
  EXPECT_TRUE(fs_->Stat("/a/b/c/f.txt").error().is(ENOENT));
  ASSERT_TRUE(fs_->Link("/a/g.txt", "/a/h.txt").has_value());
  EXPECT_EQ(fs_->Stat("/a/g.txt")->nlink, 2u);
  ASSERT_TRUE(fs_->Unlink("/a/g.txt").ok());
  EXPECT_EQ(ReadFile("/a/h.txt"), "hello");
  EXPECT_TRUE(fs_->Rmdir("/a").is(ENOTEMPTY));
  EXPECT_TRUE(fs_->Unlink("/a/b").is(EISDIR));
  ASSERT_TRUE(fs_->Rmdir("/a/b/c").ok());
  EXPECT_TRUE(fs_->Stat("/a/b/c").error().is(ENOENT));
}

TEST_F(PathFsTest, SymlinksAreFollowedAndLoopsStop) {
  ASSERT_TRUE(fs_->MkdirAll("/d/e").ok());
  WriteFile(*fs_, "/d/e/data", "xyz");
  ASSERT_TRUE(fs_->Symlink("e", "/d/rel").has_value());           // relative
  ASSERT_TRUE(fs_->Symlink("/d/e/data", "/abs").has_value());     // absolute: from the volume root
  ASSERT_TRUE(fs_->Symlink("../rel/data", "/d/e/up").has_value());
  ASSERT_TRUE(fs_->Symlink("/loop2", "/loop1").has_value());
  ASSERT_TRUE(fs_->Symlink("/loop1", "/loop2").has_value());
  EXPECT_EQ(ReadFile("/d/rel/data"), "xyz");
  EXPECT_EQ(ReadFile("/abs"), "xyz");
  EXPECT_EQ(ReadFile("/d/e/up"), "xyz");
  EXPECT_EQ(*fs_->Readlink("/abs"), "/d/e/data");
  EXPECT_EQ(fs_->Lstat("/abs")->type, FileType::kSymlink);
  EXPECT_EQ(fs_->Stat("/abs")->type, FileType::kFile);
  EXPECT_TRUE(fs_->Stat("/loop1").error().is(ELOOP));
  EXPECT_TRUE(fs_->Open("/abs", O_RDONLY | O_NOFOLLOW).error().is(ELOOP));
  EXPECT_TRUE(fs_->Readlink("/d").error().is(EINVAL));
  // Creating through a symlinked directory lands in its target.
  WriteFile(*fs_, "/d/rel/new", "n");
  EXPECT_EQ(ReadFile("/d/e/new"), "n");
}

TEST_F(PathFsTest, ListPagesInNameOrder) {
  ASSERT_TRUE(fs_->Mkdir("/many").has_value());
  std::set<std::string> want;
  for (int i = 0; i < 250; i++) {
    std::string name = "f" + std::to_string(1000 + i);
    WriteFile(*fs_, "/many/" + name, "");
    want.insert(name);
  }
  std::vector<std::string> got;
  std::string after;
  while (true) {
    auto page = fs_->List("/many", after, 100);
    ASSERT_TRUE(page.has_value());
    for (auto& e : *page) {
      ASSERT_TRUE(e.attr.has_value());
      got.push_back(e.name);
    }
    if (page->size() < 100) break;
    after = page->back().name;
  }
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(got.size(), 250u);
  EXPECT_TRUE(fs_->List("/many/f1000").error().is(ENOTDIR));
}

TEST_F(PathFsTest, PermissionsOfTheCallerApply) {
  ASSERT_TRUE(fs_->Mkdir("/private", 0700).has_value());
  WriteFile(*fs_, "/private/secret", "s");
  WriteFile(*fs_, "/open", "o");
  Ctx user;
  user.uid = 1000;
  user.gid = 1000;
  PathFs asUser(vol_->vfs(), user);
  EXPECT_TRUE(asUser.Stat("/private/secret").error().is(EACCES));
  EXPECT_TRUE(asUser.Open("/open", O_WRONLY).error().is(EACCES));
  EXPECT_TRUE(asUser.Open("/open", O_RDONLY).has_value());
  EXPECT_TRUE(asUser.Mkdir("/private/mine").error().is(EACCES));
  ASSERT_TRUE(fs_->SetXattr("/open", "user.k", "v").ok());
  EXPECT_EQ(*asUser.GetXattr("/open", "user.k"), "v");
}

// Gateway and WebDAV requests reach Meta without a kernel in front: POSIX
// ACLs are enforced there the same way (path walks, open, create).
class PathFsAclTest : public PathFsTest {
 protected:
  bool WithAcls() const override { return true; }
};

TEST_F(PathFsAclTest, NamedUsersAndDefaultAclsApplyWithoutAKernel) {
  auto entry = [](uint16_t tag, uint32_t id, uint8_t perm) { return acl::Named{tag, id, perm}; };
  acl::Acl grant;  // u::rwx u:1000:rwx g::--- m::rwx o::---
  grant.userObj = 7;
  grant.mask = 7;
  grant.named = {entry(acl::kUser, 1000, 7)};
  ASSERT_TRUE(fs_->Mkdir("/private", 0700).has_value());
  WriteFile(*fs_, "/private/secret", "s");
  ASSERT_TRUE(fs_->SetXattr("/private", acl::kAccessXattr, acl::ToXattr(grant)).ok());
  ASSERT_TRUE(fs_->SetXattr("/private", acl::kDefaultXattr, acl::ToXattr(grant)).ok());
  Ctx alice, bob;
  alice.uid = alice.gid = 1000;
  bob.uid = bob.gid = 1001;
  PathFs asAlice(vol_->vfs(), alice), asBob(vol_->vfs(), bob);
  // /private is 0770 now: alice searches it through her entry, bob cannot.
  EXPECT_TRUE(asAlice.Open("/private/secret", O_RDONLY).has_value());
  EXPECT_TRUE(asAlice.Open("/private/secret", O_WRONLY).error().is(EACCES));  // the file itself: 0644
  EXPECT_TRUE(asBob.Stat("/private/secret").error().is(EACCES));
  WriteFile(asAlice, "/private/mine", "m");  // created through the ACL; inherits the default
  auto mine = asBob.Stat("/private/mine");
  EXPECT_TRUE(mine.error().is(EACCES));
  auto a = fs_->Stat("/private/mine");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->uid, 1000u);
  EXPECT_NE(a->accessAcl, 0u);
  EXPECT_EQ(a->mode, 0640u);  // 0644 masked by the default ACL (g::---, o::---); no umask
}

TEST_F(PathFsTest, OpenFileSeesItsOwnUnflushedWrites) {
  auto f = fs_->Open("/w", O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(f.has_value());
  std::string data(200000, 'q');
  ASSERT_TRUE(f->Write(0, std::span<const char>(data.data(), data.size())).has_value());
  EXPECT_EQ(f->Stat()->length, 200000u);
  EXPECT_EQ(fs_->Stat("/w")->length, 200000u);  // the same client's view
  ASSERT_TRUE(f->Close().ok());
  EXPECT_TRUE(f->Close().ok());  // idempotent
  EXPECT_TRUE(f->Read(0, std::span<char>(data.data(), 1)).error().is(EBADF));
  EXPECT_EQ(ReadFile("/w").size(), 200000u);
}

}  // namespace
}  // namespace slicefs
