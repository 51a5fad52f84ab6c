// The shared fixture of the metadata conformance suite (meta_test_util.h).
#include <map>
#include <set>

#include "common/encoding.h"
#include "meta/meta_test_util.h"

namespace slicefs::metatest {

void MetaTest::SetUp() {
  auto url = testing::FreshEngineUrl(GetParam());
  if (!url) {
    if (url.error().is(ENOTSUP)) SKIP_OR_FAIL(url.error().ToString());
    FAIL() << "no URL for engine " << GetParam() << ": " << url.error().ToString();
  }
  url_ = *url;
  auto kv = OpenKvStore(url_);
  ASSERT_TRUE(kv) << kv.error().ToString();
  VolumeFormat f;
  f.name = "metatest";
  f.bucket = tmp_ / "bucket";
  f.trashDays = 0;
  Customize(f);
  ASSERT_OK(Meta::Format(**kv, f, false));
  MetaOptions opts;
  opts.usageFlushMs = 60000;  // tests flush explicitly
  auto m = Meta::Open(std::move(*kv), opts);
  ASSERT_TRUE(m) << m.error().ToString();
  meta_ = std::move(*m);
}

void MetaTest::TearDown() {
  if (meta_) {
    (void)meta_->kv().dropAll();
    meta_.reset();
  }
}

bool KeyExists(KvStore& kv, const std::string& key) {
  bool found = false;
  Status st = kv.readOnly([&](KvTxn& tx) -> Status {
    auto v = tx.get(key);
    if (!v) return v.error();
    found = v->has_value();
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return found;
}

size_t KeyCount(KvStore& kv) {
  size_t n = 0;
  Must(kv.readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto kvs, tx.scan("", "", 0));
    n = kvs.size();
    return Status::OK();
  }));
  return n;
}

void ExpireSession(KvStore& kv, uint64_t sid) {
  Must(kv.txn([&](KvTxn& tx) -> Status {
    std::string v;
    PutBE64(v, 1);  // 1970
    tx.put(keys::SessionExpire(sid), v);
    return Status::OK();
  }));
}

std::unique_ptr<Meta> MetaTest::OpenClient(const MetaOptions& opts) {
  auto kv = Must(OpenKvStore(url_), "open kv");
  return Must(Meta::Open(std::move(kv), opts), "open meta");
}

VolumeScan CheckInvariants(KvStore& kv) {
  std::map<Ino, Attr> attrs;
  std::map<Ino, std::vector<std::pair<Ino, FileType>>> entriesTo;  // child -> (parent, type)
  std::map<Ino, int> subdirs;
  std::map<Ino, std::map<Ino, int64_t>> parentRecs;
  std::set<Ino> sessionFiles;
  Status st = kv.readOnly([&](KvTxn& tx) -> Status {
    std::string begin;
    for (;;) {
      auto kvs = tx.scan(begin, "", 5000);
      if (!kvs) return kvs.error();
      for (auto& item : *kvs) {
        const std::string& k = item.key;
        if (k.size() >= 10 && k[0] == 'A') {
          Ino ino = GetLE64(k, 1);
          char tag = k[9];
          if (tag == 'I' && k.size() == 10) {
            auto a = DecodeAttr(item.value);
            if (!a) return a.error();
            attrs[ino] = *a;
          } else if (tag == 'D') {
            auto e = DecodeEntry(item.value);
            if (!e) return e.error();
            entriesTo[e->ino].push_back({ino, e->type});
            if (e->type == FileType::kDir) subdirs[ino]++;
          } else if (tag == 'P' && k.size() == 18) {
            parentRecs[ino][GetLE64(k, 10)] = DecodeCounter(item.value);
          }
        } else if (k.size() == 18 && k.starts_with("SS")) {
          sessionFiles.insert(GetLE64(k, 10));
        }
      }
      if (kvs->size() < 5000) break;
      begin = kvs->back().key + '\0';
    }
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  VolumeScan out;
  for (auto& [child, list] : entriesTo) {
    auto it = attrs.find(child);
    if (it == attrs.end()) {
      ADD_FAILURE() << "entry points to missing inode " << child;
      continue;
    }
    for (auto& [p, t] : list) {
      EXPECT_EQ(t, it->second.type) << "entry type of inode " << child;
      auto pit = attrs.find(p);
      if (pit == attrs.end()) {
        ADD_FAILURE() << "orphan entry: inode " << child << " listed in missing directory " << p;
      } else {
        EXPECT_EQ(pit->second.type, FileType::kDir) << "entry inside non-directory " << p;
      }
    }
  }
  for (auto& [ino, a] : attrs) {
    if (ino != kRootIno && ino != kTrashIno) {
      out.inodes++;
      out.usedSpace += MetaImpl::SpaceOf(a);
    }
    auto& list = entriesTo[ino];
    if (a.type == FileType::kDir) {
      EXPECT_EQ(a.nlink, 2u + subdirs[ino]) << "nlink of directory " << ino;
      if (ino != kRootIno && ino != kTrashIno) {
        EXPECT_EQ(list.size(), 1u) << "directory " << ino << " entries";
        if (list.size() == 1) {
          EXPECT_EQ(a.parent, list[0].first) << "parent of directory " << ino;
        }
      }
      continue;
    }
    EXPECT_EQ(a.nlink, list.size()) << "nlink of inode " << ino;
    if (a.nlink == 0) {
      EXPECT_TRUE(sessionFiles.count(ino)) << "unlinked inode " << ino << " without SS record";
    }
    if (a.parent != 0) {
      EXPECT_TRUE(parentRecs[ino].empty()) << "inode " << ino << " has a parent and parent records";
      if (a.nlink == 1 && list.size() == 1) {
        EXPECT_EQ(a.parent, list[0].first) << "parent of inode " << ino;
      }
    } else {
      std::map<Ino, int64_t> counted;
      for (auto& [p, t] : list) counted[p]++;
      EXPECT_EQ(counted, parentRecs[ino]) << "parent records of inode " << ino;
      EXPECT_GE(a.nlink, 2u) << "inode " << ino << " without parent has < 2 links";
    }
  }
  return out;
}

}  // namespace slicefs::metatest
