// Conformance: POSIX ACLs in the metadata layer, on every engine: the
// kernel's xattr format, enforcement for named users and groups and the
// mask, chmod <-> mask, inheritance, shared rules with reference counts,
// and a volume without ACLs (minimal ACL = chmod, extended = EOPNOTSUPP).
// Through real mounts and against ext4: tests/acl.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/encoding.h"
#include "meta/acl.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

const Ctx kAlice = User(1000, 1000);
const Ctx kBob = User(1001, 1001);
const Ctx kCarolDev = User(1002, 1002, {60});
const Ctx kDave = User(1003, 1003);

acl::Acl Make(uint8_t u, uint8_t g, uint8_t o, uint8_t mask, std::vector<acl::Named> named) {
  acl::Acl a;
  a.userObj = u;
  a.groupObj = g;
  a.other = o;
  a.mask = mask;
  a.named = std::move(named);
  return a;
}

size_t CountPrefix(KvStore& kv, const std::string& prefix) {
  size_t n = 0;
  Must(kv.readOnly([&](KvTxn& tx) -> Status {
    n = 0;
    ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, PrefixEnd(prefix), 100000));
    n = kvs.size();
    return Status::OK();
  }));
  return n;
}

TEST(AclCodec, XattrRoundTripAndValidation) {
  acl::Acl a = Make(6, 4, 0, 6, {{acl::kUser, 1001, 6}, {acl::kGroup, 60, 4}});
  std::string x = acl::ToXattr(a);
  EXPECT_EQ(x.size(), 4u + 6 * 8);
  auto back = acl::ParseXattr(x);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, a);
  EXPECT_EQ(a.ModeBits(), 0660u);  // group bits are the mask
  EXPECT_FALSE(a.Minimal());
  auto rule = acl::DecodeRule(acl::EncodeRule(a));
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(*rule, a);
  // Named entries without a mask, a missing other entry, bad bits, a bad
  // version, a truncated value: EINVAL, as posix_acl_valid refuses them.
  acl::Acl noMask = a;
  noMask.mask = acl::kNoMask;
  EXPECT_ERRNO(acl::ParseXattr(acl::ToXattr(noMask)), EINVAL);
  std::string cut = x.substr(0, x.size() - 8);
  EXPECT_ERRNO(acl::ParseXattr(cut), EINVAL);
  EXPECT_ERRNO(acl::ParseXattr(x.substr(0, x.size() - 3)), EINVAL);
  std::string badBits = x;
  badBits[6] = 8;
  EXPECT_ERRNO(acl::ParseXattr(badBits), EINVAL);
  std::string badVersion = x;
  badVersion[0] = 3;
  EXPECT_ERRNO(acl::ParseXattr(badVersion), EINVAL);
  acl::Acl dup = Make(6, 4, 0, 6, {{acl::kUser, 1001, 6}, {acl::kUser, 1001, 4}});
  EXPECT_ERRNO(acl::ParseXattr(acl::ToXattr(dup)), EINVAL);
  EXPECT_TRUE(acl::ParseXattr(acl::ToXattr(Make(7, 5, 5, acl::kNoMask, {})))->Minimal());
}

TEST(AclCodec, InheritanceMasksTheDefaultAcl) {
  // default: u::rwx u:1001:rwx g::r-x m::rwx o::r-x; open(0666)
  acl::Acl def = Make(7, 5, 5, 7, {{acl::kUser, 1001, 7}});
  acl::Inherited f = acl::FromDefault(def, 0666);
  EXPECT_EQ(f.mode, 0666u & 0665u);  // u rw, mask rw-, o r--
  ASSERT_TRUE(f.access.has_value());
  EXPECT_EQ(acl::AccessWithMode(*f.access, f.mode).named, def.named);
  // Minimal default: the result is a plain mode, no ACL.
  acl::Inherited m = acl::FromDefault(Make(7, 5, 0, acl::kNoMask, {}), 0777);
  EXPECT_EQ(m.mode, 0750u);
  EXPECT_FALSE(m.access.has_value());
}

TEST(AclCodec, PermitsFollowsLinuxOrder) {
  acl::Acl full = Make(6, 0, 4, 6, {{acl::kUser, 1001, 0}, {acl::kUser, 1003, 7}, {acl::kGroup, 60, 6}});
  EXPECT_FALSE(acl::Permits(full, 50, User(1001, 60), R_OK));      // named user entry wins over groups
  EXPECT_TRUE(acl::Permits(full, 50, User(1002, 60), R_OK | W_OK)); // named group
  EXPECT_FALSE(acl::Permits(full, 50, User(1003, 9), X_OK));       // mask rw- limits rwx
  EXPECT_FALSE(acl::Permits(full, 50, User(1004, 50), R_OK));      // owning group ---, no fallback to other
  EXPECT_TRUE(acl::Permits(full, 50, User(1004, 51), R_OK));       // other r--
}

class MetaAclTest : public MetaTest {
 protected:
  void Customize(VolumeFormat& f) override { f.enableAcl = true; }
  Status SetAcl(const Ctx& c, Ino ino, const acl::Acl& a, bool def = false) {
    return meta_->SetXattr(c, ino, def ? acl::kDefaultXattr : acl::kAccessXattr, acl::ToXattr(a), 0);
  }
};

TEST_P(MetaAclTest, NamedUsersGroupsAndMaskAreEnforced) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0777, 0));
  auto f = Must(meta_->Mknod(kAlice, d.ino, "f", S_IFREG | 0640, 0, 0));
  EXPECT_ERRNO(meta_->Open(kBob, f.ino, O_RDONLY), EACCES);
  EXPECT_ERRNO(SetAcl(kBob, f.ino, Make(6, 4, 0, 4, {{acl::kUser, 1001, 4}})), EPERM);  // not the owner
  ASSERT_OK(SetAcl(kAlice, f.ino, Make(6, 4, 0, 6, {{acl::kUser, 1001, 6}, {acl::kGroup, 60, 4}})));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).mode, 0660u);  // mask rw- became the group bits
  EXPECT_OK(meta_->Open(kBob, f.ino, O_RDWR));
  EXPECT_OK(meta_->Open(kCarolDev, f.ino, O_RDONLY));
  EXPECT_ERRNO(meta_->Open(kCarolDev, f.ino, O_WRONLY), EACCES);
  EXPECT_ERRNO(meta_->Open(kDave, f.ino, O_RDONLY), EACCES);
  // chmod changes the mask: bob keeps only read.
  Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 0640}));
  EXPECT_ERRNO(meta_->Open(kBob, f.ino, O_WRONLY), EACCES);
  EXPECT_OK(meta_->Open(kBob, f.ino, O_RDONLY));
  auto x = acl::ParseXattr(Must(meta_->GetXattr(kDave, f.ino, acl::kAccessXattr)));
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->mask, 4);
  EXPECT_EQ(x->named[0].perm, 6);  // the entry is kept, the mask limits it
  // Directories: search and write through a named user.
  auto sub = Must(meta_->Mkdir(kAlice, d.ino, "sub", 0700, 0));
  EXPECT_ERRNO(meta_->Lookup(kBob, sub.ino, "x"), EACCES);
  ASSERT_OK(SetAcl(kAlice, sub.ino, Make(7, 0, 0, 7, {{acl::kUser, 1001, 3}})));
  EXPECT_ERRNO(meta_->Lookup(kBob, sub.ino, "x"), ENOENT);
  EXPECT_ERRNO(meta_->Readdir(kBob, sub.ino, "", 10, false), EACCES);
  auto bf = Must(meta_->Mknod(kBob, sub.ino, "bf", S_IFREG | 0644, 0, 0));
  EXPECT_OK(meta_->Rename(kBob, sub.ino, "bf", sub.ino, "bf2", 0));
  EXPECT_OK(meta_->Unlink(kBob, sub.ino, "bf2"));
  (void)bf;
  EXPECT_ERRNO(meta_->Mknod(kDave, sub.ino, "df", S_IFREG | 0644, 0, 0), EACCES);
  // user.* xattrs follow the ACL's write permission.
  EXPECT_ERRNO(meta_->SetXattr(kCarolDev, f.ino, "user.k", "v", 0), EACCES);
  EXPECT_ERRNO(meta_->GetXattr(kCarolDev, f.ino, "user.k"), ENODATA);  // read is allowed
  // Linux: with the group bits (mask) 000 the ACL is skipped and a named
  // user gets the other bits.
  Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 0604}));
  EXPECT_OK(meta_->Open(kBob, f.ino, O_RDONLY));
  Must(meta_->SetAttr(kAlice, f.ino, kSetMode, Attr{.mode = 0614}));
  EXPECT_ERRNO(meta_->Open(kBob, f.ino, O_RDONLY), EACCES);  // bob's entry rw- & mask --x
  // ListXattr names the ACL.
  auto names = Must(meta_->ListXattr(kAlice, f.ino));
  EXPECT_NE(std::find(names.begin(), names.end(), acl::kAccessXattr), names.end());
}

TEST_P(MetaAclTest, RulesAreSharedAndReferenceCounted) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0777, 0));
  acl::Acl a = Make(6, 4, 0, 6, {{acl::kUser, 1001, 6}});
  std::vector<Ino> files;
  for (int i = 0; i < 20; i++) {
    auto f = Must(meta_->Mknod(root_, d.ino, "f" + std::to_string(i), S_IFREG | (i % 2 ? 0640 : 0600), 0, 0));
    ASSERT_OK(SetAcl(root_, f.ino, a));
    files.push_back(f.ino);
  }
  // One rule for all 20 (modes differ: the rule holds no mode bits).
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclRuleAll()), 1u);
  const uint32_t id = Must(meta_->GetAttr(root_, files[0])).accessAcl;
  for (Ino f : files) EXPECT_EQ(Must(meta_->GetAttr(root_, f)).accessAcl, id);
  for (int i = 0; i < 19; i++) ASSERT_OK(meta_->Unlink(root_, d.ino, "f" + std::to_string(i)));
  EXPECT_TRUE(KeyExists(meta_->kv(), keys::AclRule(id)));
  ASSERT_OK(meta_->RemoveXattr(root_, files[19], acl::kAccessXattr));
  EXPECT_FALSE(KeyExists(meta_->kv(), keys::AclRule(id)));
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclAll()), 0u);  // no refs, no hash index left
  // Setting an ACL equal to the mode stores nothing and changes the mode.
  ASSERT_OK(SetAcl(root_, files[19], Make(7, 5, 1, acl::kNoMask, {})));
  EXPECT_EQ(Must(meta_->GetAttr(root_, files[19])).mode, 0751u);
  EXPECT_EQ(Must(meta_->GetAttr(root_, files[19])).accessAcl, 0u);
  EXPECT_ERRNO(meta_->GetXattr(root_, files[19], acl::kAccessXattr), ENODATA);
}

TEST_P(MetaAclTest, CloneAndRemoveTreeKeepCountsExact) {
  auto d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0));
  ASSERT_OK(SetAcl(root_, d.ino, Make(7, 5, 5, 7, {{acl::kUser, 1001, 7}}), true));
  auto sub = Must(meta_->Mkdir(root_, d.ino, "sub", 0755, 0));
  for (int i = 0; i < 10; i++) Must(meta_->Mknod(root_, sub.ino, "f" + std::to_string(i), S_IFREG | 0644, 0, 0));
  // Two rules: the default (d, sub) and the inherited access ACL (sub, files).
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclRuleAll()), 2u);
  auto f0 = Must(meta_->Lookup(root_, sub.ino, "f0"));
  auto copy = Must(meta_->CloneFile(root_, f0.ino, kRootIno, "copy", true));
  EXPECT_EQ(copy.attr.accessAcl, f0.attr.accessAcl);
  auto plain = Must(meta_->CloneFile(root_, f0.ino, kRootIno, "plain", false));
  EXPECT_EQ(plain.attr.accessAcl, 0u);
  Must(meta_->RemoveTree(kRootIno, "d", [](uint64_t) { return true; }));
  // The copy still holds the access rule: one reference left.
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclRuleAll()), 1u);
  EXPECT_OK(meta_->Open(kBob, copy.ino, O_RDONLY));
  EXPECT_ERRNO(meta_->Open(kBob, copy.ino, O_RDWR), EACCES);  // mask r-- from the create mode 0644
  ASSERT_OK(meta_->Unlink(root_, kRootIno, "copy"));
  // Unlinked while open: the inode and its rule stay until the last close.
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclRuleAll()), 1u);
  ASSERT_OK(meta_->Close(copy.ino));
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclAll()), 0u);
}

TEST_P(MetaAclTest, DefaultAclIsInheritedWithoutTheUmask) {
  auto d = Must(meta_->Mkdir(kAlice, kRootIno, "d", 0755, 0));
  EXPECT_ERRNO(meta_->GetXattr(kAlice, d.ino, acl::kDefaultXattr), ENODATA);
  acl::Acl def = Make(7, 5, 5, 7, {{acl::kUser, 1001, 7}});
  ASSERT_OK(SetAcl(kAlice, d.ino, def, true));
  auto f = Must(meta_->Create(kAlice, d.ino, "f", 0666, 022, O_RDWR));
  EXPECT_EQ(f.attr.mode, 0664u);  // umask 022 ignored; o::r-x masks o
  EXPECT_OK(meta_->Open(kBob, f.ino, O_RDWR));
  EXPECT_ERRNO(meta_->GetXattr(kAlice, f.ino, acl::kDefaultXattr), ENODATA);
  auto sub = Must(meta_->Mkdir(kAlice, d.ino, "sub", 0750, 022));
  EXPECT_EQ(sub.attr.mode, 0750u);
  EXPECT_EQ(*acl::ParseXattr(Must(meta_->GetXattr(kAlice, sub.ino, acl::kDefaultXattr))), def);
  auto deeper = Must(meta_->Mknod(kAlice, sub.ino, "g", S_IFREG | 0600, 077, 0));
  EXPECT_EQ(deeper.attr.mode, 0600u);
  EXPECT_ERRNO(meta_->Open(kBob, deeper.ino, O_RDONLY), EACCES);  // mask --- from mode 0600
  // Default ACLs only on directories; symlinks have none.
  EXPECT_ERRNO(SetAcl(kAlice, f.ino, def, true), EACCES);
  auto l = Must(meta_->Symlink(kAlice, d.ino, "l", "f"));
  EXPECT_EQ(l.attr.accessAcl, 0u);
  // Removing the default ACL: the umask applies again.
  ASSERT_OK(meta_->RemoveXattr(kAlice, d.ino, acl::kDefaultXattr));
  EXPECT_EQ(Must(meta_->Create(kAlice, d.ino, "h", 0666, 022, O_RDWR)).attr.mode, 0644u);
}

TEST_P(MetaAclTest, AnotherClientSeesAclsAtOnce) {
  auto other = OpenClient();
  auto f = Must(meta_->Mknod(kAlice, kRootIno, "f", S_IFREG | 0600, 0, 0));
  EXPECT_ERRNO(other->Open(kBob, f.ino, O_RDONLY), EACCES);
  ASSERT_OK(SetAcl(kAlice, f.ino, Make(6, 0, 0, 4, {{acl::kUser, 1001, 4}})));
  EXPECT_OK(other->Open(kBob, f.ino, O_RDONLY));
  ASSERT_OK(other->SetXattr(kAlice, f.ino, acl::kAccessXattr, acl::ToXattr(Make(6, 0, 0, 0, {{acl::kUser, 1001, 4}})), 0));
  EXPECT_ERRNO(meta_->Open(kBob, f.ino, O_RDONLY), EACCES);  // mask ---
}

class MetaNoAclTest : public MetaTest {};

TEST_P(MetaNoAclTest, MinimalAclIsAModeChangeExtendedIsRefused) {
  auto f = Must(meta_->Mknod(kAlice, kRootIno, "f", S_IFREG | 0600, 0, 0));
  // cp -a writes the source's minimal ACL after creating the copy 0600.
  ASSERT_OK(meta_->SetXattr(kAlice, f.ino, acl::kAccessXattr, acl::ToXattr(Make(6, 4, 4, acl::kNoMask, {})), 0));
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).mode, 0644u);
  EXPECT_ERRNO(meta_->SetXattr(kAlice, f.ino, acl::kAccessXattr,
                               acl::ToXattr(Make(6, 4, 4, 4, {{acl::kUser, 1001, 4}})), 0),
               EOPNOTSUPP);
  EXPECT_ERRNO(meta_->SetXattr(kBob, f.ino, acl::kAccessXattr, acl::ToXattr(Make(7, 7, 7, acl::kNoMask, {})), 0),
               EPERM);
  EXPECT_EQ(Must(meta_->GetAttr(root_, f.ino)).mode, 0644u);
  EXPECT_ERRNO(meta_->GetXattr(kAlice, f.ino, acl::kAccessXattr), EOPNOTSUPP);
  auto d = Must(meta_->Mkdir(kAlice, kRootIno, "d", 0755, 0));
  EXPECT_ERRNO(meta_->SetXattr(kAlice, d.ino, acl::kDefaultXattr, acl::ToXattr(Make(7, 5, 5, acl::kNoMask, {})), 0),
               EOPNOTSUPP);
  EXPECT_EQ(CountPrefix(meta_->kv(), keys::AclAll()), 0u);
  EXPECT_TRUE(Must(meta_->ListXattr(kAlice, f.ino)).empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaAclTest, ::testing::ValuesIn(testing::EngineNames()), testing::EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, MetaNoAclTest, ::testing::ValuesIn(testing::EngineNames()),
                         testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest
