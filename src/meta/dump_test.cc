// Dump and load over the metadata API, on every engine: a loaded volume
// has exactly the keys of the original; bad documents are refused with a
// position and leave the target empty.
#include <fcntl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <random>

#include "common/byte_stream.h"
#include "common/encoding.h"
#include "meta/acl.h"
#include "meta/dump.h"
#include "meta/dump_records.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {
namespace {

using json = nlohmann::ordered_json;

class DumpTest : public MetaTest {
 protected:
  void Customize(VolumeFormat& f) override {
    f.trashDays = 1;
    f.secretKey = "s3cr3t";
    f.enableAcl = true;  // AclsSurviveDumpAndLoad
  }

  std::unique_ptr<KvStore> FreshTarget() {
    auto url = testing::FreshEngineUrl(GetParam());
    if (!url) throw std::runtime_error(url.error().ToString());
    return Must(OpenKvStore(*url), "open target");
  }

  std::string Dump(const DumpOptions& opts = {}) {
    Must(impl().FlushUsage(), "flush usage");
    StringSink out;
    auto r = DumpVolume(meta_->kv(), out, opts);
    if (!r) throw std::runtime_error(r.error().ToString());
    return out.str();
  }

  static Result<LoadStats> Load(KvStore& kv, const std::string& doc) {
    StringSource in(doc);
    return LoadVolume(kv, in, {});
  }

  // Every key except sessions and open-file records; K keys at zero
  // (waiting for a sweep) are not part of the volume either.
  static std::map<std::string, std::string> VolumeKeys(KvStore& kv) {
    std::map<std::string, std::string> out;
    Must(kv.readOnly([&](KvTxn& tx) -> Status {
      std::string begin;
      for (;;) {
        ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, "", 1000));
        for (auto& item : kvs) {
          const std::string& k = item.key;
          if (k.starts_with("SE") || k.starts_with("SI") || k.starts_with("SS")) continue;
          if (k == keys::Counter(keys::kNextSession)) continue;
          if (k[0] == 'K' && DecodeCounter(item.value) == 0) continue;
          out[k] = item.value;
        }
        if (kvs.size() < 1000) return Status::OK();
        begin = kvs.back().key + '\0';
      }
    }));
    return out;
  }

  Ino File(Ino dir, const std::string& name, uint32_t mode = 0644) {
    auto e = Must(meta_->Create(root_, dir, name, S_IFREG | mode, 0, O_RDWR | O_EXCL));
    Must(meta_->Close(e.ino));
    return e.ino;
  }
  void Write(Ino ino, uint32_t index, uint32_t pos, uint32_t len) {
    uint64_t id = Must(meta_->NewSliceId());
    Must(meta_->WriteSlice(ino, index, SliceRecord{pos, id, len, 0, len}, MetaImpl::NowNs()));
  }

  // A volume with most kinds of metadata.
  void Populate() {
    Ino a = Must(meta_->Mkdir(root_, kRootIno, "a", 0755, 0)).ino;
    Ino b = Must(meta_->Mkdir(root_, a, "b", 0700, 0)).ino;
    Ino f = File(a, "f");
    Write(f, 0, 0, 5000);
    Write(f, 0, 100, 50);   // overlapping
    Write(f, 2, 7, 1000);   // sparse, third chunk
    Ino g = File(b, "g", 0600);
    Must(meta_->Link(root_, g, kRootIno, "g-link"));
    Must(meta_->Link(root_, g, b, "g-link2"));
    Must(meta_->Symlink(root_, a, "sym", "../target/\xff\xfe-not-utf8"));
    Must(meta_->SetXattr(root_, f, "user.k", std::string("v\0\xff", 3), 0));
    Must(meta_->SetXattr(root_, a, "user.dir", "x", 0));
    Must(meta_->Mknod(root_, b, "fifo", S_IFIFO | 0644, 0, 0));
    Ino t = File(kRootIno, "trashed");
    Write(t, 0, 0, 10);
    Must(meta_->Unlink(root_, kRootIno, "trashed"));  // into the trash
    Ino c = File(a, "copy");
    Must(meta_->CopyFileRange(root_, f, 0, c, 0, 4000));  // shared slices: refcount 2
    Must(meta_->Mkdir(root_, kRootIno, std::string("n\xc3\xa9\x80-bad", 7), 0755, 0));
    Must(meta_->SetQuota(a, 1 << 20, 100));  // quotas survive dump/load; dir stats are recomputed
  }
};

TEST_P(DumpTest, LoadedVolumeHasExactlyTheOriginalKeys) {
  Populate();
  // Inode flags (chattr +i / +a) are part of the attributes and come back.
  Ino a = Must(meta_->Lookup(root_, kRootIno, "a")).ino;
  Ino f = Must(meta_->Lookup(root_, a, "f")).ino;
  Must(meta_->SetAttr(root_, a, kSetFlags, Attr{.flags = kAttrImmutable}));
  Must(meta_->SetAttr(root_, f, kSetFlags, Attr{.flags = kAttrAppend | kAttrImmutable}));
  std::string doc = Dump();
  auto target = FreshTarget();
  auto r = Load(*target, doc);
  ASSERT_TRUE(r) << r.error().ToString();
  auto want = VolumeKeys(meta_->kv());
  auto got = VolumeKeys(*target);
  // The secret is not in the dump.
  auto fmt = Must(VolumeFormat::FromJson(got[keys::Setting()]));
  EXPECT_EQ(fmt.secretKey, "removed");
  got.erase(keys::Setting());
  want.erase(keys::Setting());
  EXPECT_EQ(got.size(), want.size());
  for (auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end()) {
      ADD_FAILURE() << "missing key " << HexEncode(k);
      continue;
    }
    EXPECT_EQ(HexEncode(it->second), HexEncode(v)) << "value of key " << HexEncode(k);
  }
  for (auto& [k, v] : got) EXPECT_TRUE(want.count(k)) << "extra key " << HexEncode(k);
  CheckInvariants(*target);
  // A second dump of the loaded volume is the same document (apart from the time).
  StringSink again;
  ASSERT_TRUE(DumpVolume(*target, again, {}));
  auto strip = [](std::string s) { return s.substr(s.find("\"records\"")); };
  EXPECT_EQ(strip(again.str()), strip(doc));
}

// POSIX ACLs are dumped as their xattrs and loaded back into shared rules
// with exact reference counts (rule ids may be renumbered).
TEST_P(DumpTest, AclsSurviveDumpAndLoad) {
  // u::rwx, u:1001:r-x, g::r-x, [g:60:rw-], m::rwx, o::---
  auto makeAcl = [](bool withGroup) {
    acl::Acl a;
    a.userObj = 7;
    a.groupObj = 5;
    a.mask = 7;
    a.named = {{acl::kUser, 1001, 5}};
    if (withGroup) a.named.push_back({acl::kGroup, 60, 6});
    return acl::ToXattr(a);
  };
  Ino d = Must(meta_->Mkdir(root_, kRootIno, "d", 0755, 0)).ino;
  Must(meta_->SetXattr(root_, d, "system.posix_acl_default", makeAcl(true), 0));
  Ino sub = Must(meta_->Mkdir(root_, d, "sub", 0755, 0)).ino;
  Ino f1 = File(d, "f1", 0640);
  Ino f2 = File(sub, "f2", 0600);
  Ino f3 = File(kRootIno, "f3", 0644);
  Must(meta_->SetXattr(root_, f3, "system.posix_acl_access", makeAcl(false), 0));
  std::string doc = Dump();
  EXPECT_NE(doc.find("system.posix_acl_default"), std::string::npos);
  auto target = FreshTarget();
  KvStore* tkv = target.get();
  auto r = Load(*target, doc);
  ASSERT_TRUE(r) << r.error().ToString();
  auto loaded = Must(Meta::Open(std::move(target), {}));
  for (auto [ino, path] : {std::pair{d, "d"}, {sub, "sub"}, {f1, "f1"}, {f2, "f2"}, {f3, "f3"}}) {
    for (const char* name : {"system.posix_acl_access", "system.posix_acl_default"}) {
      auto want = meta_->GetXattr(root_, ino, name);
      auto got = loaded->GetXattr(root_, ino, name);
      ASSERT_EQ(want.has_value(), got.has_value()) << path << " " << name;
      if (want) {
        EXPECT_EQ(HexEncode(*got), HexEncode(*want)) << path << " " << name;
      }
    }
    EXPECT_EQ(Must(loaded->GetAttr(root_, ino)).mode, Must(meta_->GetAttr(root_, ino)).mode) << path;
  }
  // The same rules with the same counts: RA values and RC counts as multisets.
  auto rules = [](KvStore& kv) {
    std::multiset<std::string> out;
    for (auto& [k, v] : VolumeKeys(kv)) {
      if (k.starts_with("RA")) out.insert("rule " + HexEncode(v));
      if (k.starts_with("RC")) out.insert("refs " + std::to_string(DecodeCounter(v)));
    }
    return out;
  };
  auto want = rules(meta_->kv());
  EXPECT_EQ(want.size(), 6u);  // 3 rules: d's default, inherited access, f3's
  EXPECT_EQ(rules(*tkv), want);
  // The loaded rules are shared: a new file under d takes the existing one.
  Ino f4 = Must(loaded->Create(root_, d, "f4", 0640, 0, O_RDWR)).ino;
  Must(loaded->Close(f4));
  auto after = rules(*tkv);
  EXPECT_EQ(std::count_if(after.begin(), after.end(), [](const std::string& x) { return x.starts_with("rule "); }), 3);
  EXPECT_EQ(HexEncode(Must(loaded->GetXattr(root_, f4, "system.posix_acl_access"))),
            HexEncode(Must(meta_->GetXattr(root_, f1, "system.posix_acl_access"))));
}

TEST_P(DumpTest, KeepSecretKeyKeepsIt) {
  DumpOptions o;
  o.keepSecrets = true;
  std::string doc = Dump(o);
  EXPECT_NE(doc.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(Dump().find("s3cr3t"), std::string::npos);
}

TEST_P(DumpTest, BigDirectoryIsSplitIntoBoundedRecords) {
  Ino d = Must(meta_->Mkdir(root_, kRootIno, "big", 0755, 0)).ino;
  for (int i = 0; i < 2500; i++) Must(meta_->Mknod(root_, d, "f" + std::to_string(i), S_IFREG | 0644, 0, 0));
  std::string doc = Dump();
  json j = json::parse(doc);
  size_t entries = 0, recs = 0;
  for (auto& rec : j["records"]) {
    if (rec.contains("entries") && rec["entries"] == d) {
      EXPECT_LE(rec["list"].size(), 1000u);
      entries += rec["list"].size();
      recs++;
    }
  }
  EXPECT_EQ(entries, 2500u);
  EXPECT_EQ(recs, 3u);
  auto target = FreshTarget();
  ASSERT_TRUE(Load(*target, doc));
  auto scan = CheckInvariants(*target);
  EXPECT_EQ(scan.inodes, 2501u);
}

TEST_P(DumpTest, UnlinkedOpenFileBecomesAPendingDeletion) {
  Must(meta_->NewSession(SessionInfo{"host", "/mnt", 1, "test", false}));
  Ino f = File(kRootIno, "open");
  Write(f, 0, 0, 3000);
  Must(meta_->Open(root_, f, O_RDONLY));
  Must(meta_->Rename(root_, kRootIno, "open", kRootIno, "x", 0));
  VolumeFormat fmt = meta_->format();
  // Unlink without the trash: a direct unlink of an open file keeps it (nlink 0).
  Must(meta_->kv().txn([&](KvTxn& tx) -> Status {
    fmt.trashDays = 0;
    tx.put(keys::Setting(), fmt.ToJson());
    return Status::OK();
  }));
  auto other = OpenClient();
  Must(other->Unlink(root_, kRootIno, "x"));
  std::string doc = Dump();
  EXPECT_NE(doc.find("\"nlink\":0"), std::string::npos);
  auto target = FreshTarget();
  auto r = Load(*target, doc);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_FALSE(KeyExists(*target, keys::Attr(f)));
  EXPECT_TRUE(KeyExists(*target, keys::Deleted(f, 3000)));
  EXPECT_TRUE(KeyExists(*target, keys::Chunk(f, 0)));
  Must(meta_->Close(f));
}

TEST_P(DumpTest, SubdirDumpLoadsAsItsOwnVolume) {
  Ino a = Must(meta_->Mkdir(root_, kRootIno, "a", 0750, 0)).ino;
  Ino b = Must(meta_->Mkdir(root_, a, "b", 0755, 0)).ino;
  Ino f = File(b, "f");
  Write(f, 0, 0, 100);
  Must(meta_->Link(root_, f, a, "f2"));              // both links inside
  Ino out = File(kRootIno, "outside");
  Must(meta_->Link(root_, out, a, "in"));            // one link outside
  DumpOptions o;
  o.subdir = "/a";
  std::string doc = Dump(o);
  auto target = FreshTarget();
  auto r = Load(*target, doc);
  ASSERT_TRUE(r) << r.error().ToString();
  auto scan = CheckInvariants(*target);
  EXPECT_EQ(scan.inodes, 3u);  // b, f, in
  auto m = Must(Meta::Open(std::move(target), {}));
  EXPECT_EQ(Must(m->GetAttr(root_, kRootIno)).mode, 0750u);
  EXPECT_EQ(Must(m->Lookup(root_, kRootIno, "f2")).attr.nlink, 2u);
  EXPECT_EQ(Must(m->Lookup(root_, kRootIno, "in")).attr.nlink, 1u);
  EXPECT_EQ(Must(m->ReadChunk(f, 0)).size(), 1u);
  o.subdir = "/nope";
  StringSink s;
  auto bad = DumpVolume(meta_->kv(), s, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ENOENT);
}

TEST_P(DumpTest, NonEmptyEngineIsRefusedUntouched) {
  Populate();
  std::string doc = Dump();
  size_t before = KeyCount(meta_->kv());
  auto r = Load(meta_->kv(), doc);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EEXIST);
  EXPECT_EQ(KeyCount(meta_->kv()), before);
}

// Rewrites the records of a valid dump.
std::string Edit(const std::string& doc, const std::function<void(json& records)>& fn) {
  json j = json::parse(doc);
  fn(j["records"]);
  j["summary"]["records"] = j["records"].size();
  return j.dump();
}

TEST_P(DumpTest, BadDocumentsAreRefusedWithAPositionAndLeaveTheEngineEmpty) {
  Populate();
  const std::string doc = Dump();
  auto target = FreshTarget();
  auto refuse = [&](const std::string& what, const std::string& bad, const std::string& expect) {
    auto r = Load(*target, bad);
    ASSERT_FALSE(r) << what << " was accepted";
    EXPECT_EQ(r.error().code(), EINVAL) << what << ": " << r.error().ToString();
    EXPECT_NE(r.error().message().find(expect), std::string::npos) << what << ": " << r.error().message();
    EXPECT_EQ(KeyCount(*target), 0u) << what << " left keys behind";
  };
  const size_t inRecords = doc.find("\"records\"") + 40;
  refuse("invalid JSON", doc.substr(0, inRecords) + "@" + doc.substr(inRecords), "invalid JSON at byte " + std::to_string(inRecords + 1));
  refuse("not a dump", "{\"hello\": 1}", "not a slicefs or JuiceFS dump");
  refuse("duplicate inode", Edit(doc, [](json& recs) {
           for (auto& r : recs) {
             if (r.contains("inode") && r["attr"]["type"] == "file") {
               recs.push_back(r);
               break;
             }
           }
         }), "appears twice");
  refuse("dangling entry", Edit(doc, [](json& recs) {
           recs.push_back(json{{"entries", 1}, {"list", json::array({json{{"name", "ghost"}, {"inode", 4242}, {"type", "file"}}})}});
         }), "4242, which the dump does not contain");
  refuse("bad slice", Edit(doc, [](json& recs) {
           for (auto& r : recs) {
             if (r.contains("chunk")) {
               r["slices"][0][3] = 1u << 30;  // off past the slice
               break;
             }
           }
         }), "off + len > size");
  refuse("entry names the root", Edit(doc, [](json& recs) {
           recs.push_back(json{{"entries", 1}, {"list", json::array({json{{"name", "loop"}, {"inode", 1}, {"type", "dir"}}})}});
         }), "names the root");
  refuse("orphan inode", Edit(doc, [](json& recs) {
           json attr{{"type", "file"}, {"mode", 420}};
           recs.push_back(json{{"inode", 777777}, {"attr", attr}});
         }), "inode 777777 is not in any directory");
  refuse("wrong summary", [&] {
           json j = json::parse(doc);
           j["summary"]["records"] = 1;
           return j.dump();
         }(), "the summary counts 1 records");
  // Truncated at random points.
  uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::printf("truncation seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 8; i++) {
    size_t cut = std::uniform_int_distribution<size_t>(1, doc.size() - 2)(rng);
    auto r = Load(*target, doc.substr(0, cut));
    ASSERT_FALSE(r) << "a dump cut at byte " << cut << " was accepted";
    EXPECT_EQ(KeyCount(*target), 0u) << "cut at " << cut;
  }
  // The intact document still loads.
  ASSERT_TRUE(Load(*target, doc));
}

INSTANTIATE_TEST_SUITE_P(Engines, DumpTest, ::testing::ValuesIn(testing::EngineNames()), testing::EngineParamName);

}  // namespace
}  // namespace slicefs::metatest

namespace slicefs::dump {
namespace {

TEST(DumpRecords, Utf8CheckAndBase64Fallback) {
  EXPECT_TRUE(ValidUtf8("plain"));
  EXPECT_TRUE(ValidUtf8("n\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(ValidUtf8("\xc3"));              // cut off
  EXPECT_FALSE(ValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xff"));
  for (std::string s : {std::string("ok"), std::string("\xff\x00\xfe", 3), std::string()}) {
    json j = BytesToJson(s);
    EXPECT_EQ(j.is_string(), ValidUtf8(s));
    auto back = BytesFromJson(j, "x");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(BytesFromJson(json{{"base64", "***"}}, "x"));
  EXPECT_FALSE(BytesFromJson(json(5), "x"));
}

TEST(DumpRecords, AttrRoundTripAndRefusals) {
  Attr a;
  a.type = FileType::kCharDev;
  a.mode = 04755;
  a.uid = 7;
  a.gid = 8;
  a.atimeNs = -5;  // before the epoch
  a.mtimeNs = INT64_MAX;
  a.ctimeNs = 3;
  a.nlink = 3;
  a.length = 0;
  a.rdev = 0x1234;
  auto back = AttrFromJson(AttrToJson(a));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, a);
  json j = AttrToJson(a);
  j["mode"] = 010000;
  EXPECT_FALSE(AttrFromJson(j));
  j = AttrToJson(a);
  j["type"] = "door";
  EXPECT_FALSE(AttrFromJson(j));
  j = AttrToJson(a);
  j["uid"] = -1;
  EXPECT_FALSE(AttrFromJson(j));
  EXPECT_FALSE(CheckSlice(SliceRecord{0, 1, 10, 5, 6}).ok());             // off + len > size
  EXPECT_FALSE(CheckSlice(SliceRecord{64u << 20, 1, 10, 0, 1}).ok());     // past the chunk
  EXPECT_FALSE(CheckSlice(SliceRecord{0, 1, 10, 0, 0}).ok());             // empty
  EXPECT_TRUE(CheckSlice(SliceRecord{(64u << 20) - 10, 1, 10, 0, 10}).ok());
}

}  // namespace
}  // namespace slicefs::dump
