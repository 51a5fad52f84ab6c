// fsck's metadata checks and repairs on a volume built through the Meta API
// (mem engine): link counts and parent records of hard links, reference
// counts, dangling entries, orphans, usage counters; a repaired volume
// checks clean, and a clean volume reports nothing.
#include "vfs/fsck.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "meta/acl.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/meta.h"

namespace slicefs {
namespace {

struct Vol {
  std::string url = "mem://fsck-unit-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::unique_ptr<KvStore> kv;
  std::unique_ptr<Meta> meta;
  VolumeFormat fmt;
  Vol() {
    kv = std::move(*OpenKvStore(url));
    fmt.name = "unit";
    fmt.uuid = GenerateUuid();
    fmt.trashDays = 0;
    fmt.storage = "mem";
    Status st = Meta::Format(*kv, fmt, false);
    EXPECT_TRUE(st.ok()) << st.ToString();
    meta = std::move(*Meta::Open(std::move(*OpenKvStore(url)), MetaOptions{}));
  }
  FsckReport Run(bool repair) {
    EXPECT_TRUE(meta->FlushUsage().ok());
    FsckOptions o;
    o.repair = repair;
    auto r = RunFsck(*kv, fmt, nullptr, o);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : FsckReport{};
  }
  void Put(const std::string& k, const std::string& v) {
    ASSERT_TRUE(kv->txn([&](KvTxn& tx) -> Status {
      tx.put(k, v);
      return Status::OK();
    }).ok());
  }
  void Del(const std::string& k) {
    ASSERT_TRUE(kv->txn([&](KvTxn& tx) -> Status {
      tx.del(k);
      return Status::OK();
    }).ok());
  }
  Attr Get(Ino ino) { return *meta->GetAttr(Ctx::Root(), ino); }
};

std::string Checks(const FsckReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p.check + ": " + p.message + "\n";
  return s;
}

TEST(FsckUnit, CleanVolumeHasNoProblems) {
  Vol v;
  const Ctx root = Ctx::Root();
  auto d = *v.meta->Mkdir(root, kRootIno, "d", 0755, 0);
  auto f = *v.meta->Mknod(root, d.ino, "f", S_IFREG | 0644, 0, 0);
  ASSERT_TRUE(v.meta->Link(root, f.ino, kRootIno, "f2"));
  ASSERT_TRUE(v.meta->Link(root, f.ino, d.ino, "f3"));
  ASSERT_TRUE(v.meta->WriteSlice(f.ino, 0, SliceRecord{0, *v.meta->NewSliceId(), 100, 0, 100}, 1).ok());
  ASSERT_TRUE(v.meta->CopyFileRange(root, f.ino, 0, f.ino, 200, 100));
  auto r = v.Run(false);
  EXPECT_TRUE(r.problems.empty()) << Checks(r);
  EXPECT_EQ(r.inodes, 4u);  // root, trash, d, f
}

TEST(FsckUnit, RepairsLinksRefsEntriesOrphansAndUsage) {
  Vol v;
  const Ctx root = Ctx::Root();
  auto d = *v.meta->Mkdir(root, kRootIno, "d", 0755, 0);
  auto sub = *v.meta->Mkdir(root, d.ino, "sub", 0755, 0);
  auto f = *v.meta->Mknod(root, d.ino, "f", S_IFREG | 0644, 0, 0);
  ASSERT_TRUE(v.meta->Link(root, f.ino, kRootIno, "f2"));
  auto g = *v.meta->Mknod(root, d.ino, "g", S_IFREG | 0644, 0, 0);
  const uint64_t s1 = *v.meta->NewSliceId();
  ASSERT_TRUE(v.meta->WriteSlice(f.ino, 0, SliceRecord{0, s1, 5000, 0, 5000}, 1).ok());
  ASSERT_TRUE(v.meta->FlushUsage().ok());
  // Damage: f's nlink and a parent record, s1's count, a K key nobody
  // uses, an entry naming nothing, sub's entry (orphan), the counters.
  Attr fa = v.Get(f.ino);
  fa.nlink = 5;
  v.Put(keys::Attr(f.ino), EncodeAttr(fa));
  v.Del(keys::Parent(f.ino, kRootIno));
  v.Put(keys::SliceRef(s1, 5000), EncodeCounter(3));
  v.Put(keys::SliceRef(999, 10), EncodeCounter(2));
  v.Put(keys::Entry(d.ino, "ghost"), EncodeEntry(FileType::kFile, 123456));
  v.Del(keys::Entry(d.ino, "sub"));
  v.Put(keys::Counter(keys::kTotalInodes), EncodeCounter(77));
  (void)g;

  auto r = v.Run(false);
  const std::string all = Checks(r);
  EXPECT_NE(all.find("file-links: /d/f: nlink 5, 2 entries, parent records do not match"), std::string::npos) << all;
  EXPECT_NE(all.find("slice-refs: slice " + std::to_string(s1) + " (5000 bytes): reference count 3, 1 chunk records"),
            std::string::npos) << all;
  EXPECT_NE(all.find("slice-refs: slice 999 (10 bytes): reference count 2, 0 chunk records"), std::string::npos) << all;
  EXPECT_NE(all.find("entries: /d/ghost: entry names missing inode 123456"), std::string::npos) << all;
  EXPECT_NE(all.find("orphans: inode " + std::to_string(sub.ino) + " (directory"), std::string::npos) << all;
  EXPECT_NE(all.find("dir-nlink: /d: directory nlink 3, expected 2"), std::string::npos) << all;
  EXPECT_NE(all.find("usage: usage counters: totalInodes 77, recount 4"), std::string::npos) << all;
  EXPECT_EQ(r.unrepaired(), static_cast<int>(r.problems.size()));

  auto fixed = v.Run(true);
  EXPECT_EQ(fixed.unrepaired(), 0) << Checks(fixed);
  auto again = v.Run(false);
  EXPECT_TRUE(again.problems.empty()) << Checks(again);
  EXPECT_EQ(v.Get(f.ino).nlink, 2u);
  EXPECT_EQ(v.meta->Lookup(root, kRootIno, "lost+found")->attr.nlink, 3u);
  EXPECT_EQ(v.meta->Lookup(root, kRootIno, "lost+found")->ino, v.Get(sub.ino).parent);
  auto sr = v.kv->readOnly([&](KvTxn& tx) -> Status {
    auto c = tx.get(keys::SliceRef(s1, 5000));
    EXPECT_TRUE(c && *c && DecodeCounter(**c) == 1);
    auto z = tx.get(keys::SliceRef(999, 10));
    EXPECT_TRUE(z && *z && DecodeCounter(**z) == 0) << "count 0: the next client with a deleter sweeps it";
    auto t = tx.get(keys::Counter(keys::kTotalInodes));
    EXPECT_TRUE(t && *t && DecodeCounter(**t) == 5) << "4 + lost+found";
    return Status::OK();
  });
  EXPECT_TRUE(sr.ok());
}

// ACL rules: counts repaired from the inodes, an unused rule removed, a
// missing rule reported; a volume with shared ACLs checks clean.
TEST(FsckUnit, AclRuleCounts) {
  Vol v;
  v.fmt.enableAcl = true;
  ASSERT_TRUE(Meta::Format(*v.kv, v.fmt, true).ok());
  v.meta = std::move(*Meta::Open(std::move(*OpenKvStore(v.url)), MetaOptions{}));
  const Ctx root = Ctx::Root();
  acl::Acl rule;  // u::rw- u:1001:r-- g::r-- m::r-- o::---
  rule.userObj = 6;
  rule.groupObj = 4;
  rule.mask = 4;
  rule.named = {{acl::kUser, 1001, 4}};
  const std::string aclValue = acl::ToXattr(rule);
  auto f = *v.meta->Mknod(root, kRootIno, "f", S_IFREG | 0644, 0, 0);
  auto g = *v.meta->Mknod(root, kRootIno, "g", S_IFREG | 0600, 0, 0);
  ASSERT_TRUE(v.meta->SetXattr(root, f.ino, "system.posix_acl_access", aclValue, 0).ok());
  ASSERT_TRUE(v.meta->SetXattr(root, g.ino, "system.posix_acl_access", aclValue, 0).ok());
  EXPECT_EQ(Checks(v.Run(false)), "");
  const uint32_t id = v.Get(f.ino).accessAcl;
  ASSERT_NE(id, 0u);
  v.Put(keys::AclRefs(id), EncodeCounter(5));
  v.Put(keys::AclRule(77), "\x01\x07\x05\x05\xff\0\0");  // nobody uses it
  v.Put(keys::AclRefs(77), EncodeCounter(1));
  auto r = v.Run(true);
  EXPECT_NE(Checks(r).find("ACL rule " + std::to_string(id) + ": reference count 5, 2 inodes use it"), std::string::npos)
      << Checks(r);
  EXPECT_NE(Checks(r).find("ACL rule 77: reference count 1, 0 inodes use it"), std::string::npos) << Checks(r);
  EXPECT_EQ(Checks(v.Run(false)), "");
  ASSERT_TRUE(v.kv->readOnly([&](KvTxn& tx) -> Status {
    auto x = tx.get(keys::AclRule(77));
    EXPECT_TRUE(x && !x->has_value());
    auto c = tx.get(keys::AclRefs(id));
    EXPECT_TRUE(c && c->has_value() && DecodeCounter(**c) == 2);
    return Status::OK();
  }).ok());
  // A rule deleted behind the inodes' back: reported, not "repaired".
  v.Del(keys::AclRule(id));
  EXPECT_NE(Checks(v.Run(true)).find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace slicefs
