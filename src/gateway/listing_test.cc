// ListObjects against a reference: random trees whose names hold bytes that
// sort before '/' (" ", "!", "-"), so directory order and key order differ;
// every prefix/delimiter combination, paged with random max-keys. Seeded.
#include "gateway/listing.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>

#include "vfs/volume.h"

namespace slicefs::gateway {
namespace {

struct Expected {
  std::vector<std::string> keys, prefixes;  // in order
};

Expected Reference(const std::set<std::string>& all, const ListParams& p) {
  Expected e;
  std::string lastCp;
  for (const auto& k : all) {
    if (k <= p.after || !k.starts_with(p.prefix)) continue;
    if (!p.delimiter.empty()) {
      size_t i = k.find(p.delimiter, p.prefix.size());
      if (i != std::string::npos) {
        std::string cp = k.substr(0, i + p.delimiter.size());
        if (cp != lastCp && cp > p.after) e.prefixes.push_back(cp);
        lastCp = cp;
        continue;
      }
    }
    e.keys.push_back(k);
  }
  return e;
}

class ListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    VolumeFormat fmt;
    fmt.name = "listing";
    fmt.storage = "mem";
    fmt.bucket = "listing-test-" + std::to_string(++n);
    fmt.trashDays = 0;
    const std::string url = "mem://listing-test-" + std::to_string(n);
    ASSERT_TRUE(Volume::Create(url, fmt, false).has_value());
    auto v = Volume::Open(url, VolumeOptions{});
    ASSERT_TRUE(v.has_value());
    vol_ = std::move(*v);
    fs_ = std::make_unique<PathFs>(vol_->vfs(), Ctx::Root());
    s3_ = std::make_unique<S3Fs>(*fs_, "listing", GatewayOptions{});
  }
  bool Put(const std::string& key) {
    std::unique_ptr<ObjectWriter> w;
    if (!s3_->BeginPut("listing", key, &w).ok()) return false;
    if (!w->Write(key).ok()) return false;
    std::string etag;
    return w->Commit(ObjectMeta{}, &etag).ok();
  }
  std::unique_ptr<Volume> vol_;
  std::unique_ptr<PathFs> fs_;
  std::unique_ptr<S3Fs> s3_;
};

TEST_F(ListingTest, MatchesReferenceWithPaging) {
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  const std::string alphabet = "ab -!0~";
  auto comp = [&] {
    std::string s;
    int len = 1 + static_cast<int>(rng() % 2);
    for (int i = 0; i < len; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    if (s == "." || s == "..") s = "x";
    return s;
  };
  std::set<std::string> all;
  for (int i = 0; i < 2000 && all.size() < 110; ++i) {
    std::string key;
    int depth = 1 + static_cast<int>(rng() % 3);
    for (int d = 0; d < depth; ++d) key += (d ? "/" : "") + comp();
    if (rng() % 10 == 0) {
      if (s3_->PutFolder("listing", key + "/").ok()) all.insert(key + "/");
    } else if (Put(key)) {
      all.insert(key);
    }
  }
  // A folder object is listed only while its directory is empty.
  std::set<std::string> ref;
  for (const auto& k : all) {
    if (k.back() == '/') {
      auto next = all.upper_bound(k);
      if (next != all.end() && next->starts_with(k)) continue;
    }
    ref.insert(k);
  }
  ASSERT_GT(ref.size(), 60u);
  // Key order differs from directory order somewhere ("x/..." after "x-...").
  bool interleaved = false;
  for (auto it = ref.begin(); it != ref.end(); ++it) {
    auto next = std::next(it);
    if (next != ref.end() && it->find('/') != std::string::npos && next->find('/') == std::string::npos) interleaved = true;
  }
  EXPECT_TRUE(interleaved);
  std::vector<std::string> prefixes = {"", "a", "a/", "b ", "a/b", "!", "~/", "zz"};
  for (int i = 0; i < 6; ++i) prefixes.push_back(comp() + (rng() % 2 ? "/" : ""));
  for (const auto& prefix : prefixes) {
    for (const std::string delim : {"", "/", "-", "a"}) {
      ListParams p;
      p.prefix = prefix;
      p.delimiter = delim;
      Expected want = Reference(ref, p);
      std::vector<std::string> gotKeys, gotPrefixes;
      int pages = 0;
      while (true) {
        p.maxKeys = 1 + rng() % 7;
        ListOutput out;
        ASSERT_TRUE(ListObjects(*s3_, "listing", p, &out).ok());
        for (auto& o : out.objects) gotKeys.push_back(o.key);
        for (auto& c : out.prefixes) gotPrefixes.push_back(c);
        ASSERT_LE(out.objects.size() + out.prefixes.size(), p.maxKeys);
        if (!out.truncated) break;
        ASSERT_FALSE(out.last.empty());
        p.after = out.last;
        ASSERT_LT(++pages, 1000) << "paging does not advance: prefix '" << prefix << "' delimiter '" << delim
                                 << "' after '" << p.after << "' seed " << seed;
      }
      EXPECT_EQ(gotKeys, want.keys) << "prefix '" << prefix << "' delimiter '" << delim << "' seed " << seed;
      EXPECT_EQ(gotPrefixes, want.prefixes) << "prefix '" << prefix << "' delimiter '" << delim << "' seed " << seed;
    }
  }
  // start-after in the middle of the keys.
  std::vector<std::string> v(ref.begin(), ref.end());
  ListParams p;
  p.after = v[v.size() / 2];
  ListOutput out;
  ASSERT_TRUE(ListObjects(*s3_, "listing", p, &out).ok());
  ASSERT_FALSE(out.objects.empty());
  EXPECT_EQ(out.objects.front().key, v[v.size() / 2 + 1]);
}

TEST_F(ListingTest, HiddenEntriesAreNotListed) {
  ASSERT_TRUE(Put("a/b"));
  ASSERT_TRUE(fs_->MkdirAll("/.sgw-uploads/x").ok());
  auto f = fs_->Open("/a/.sgw-tmp-1", O_WRONLY | O_CREAT, 0644);
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->Close().ok());
  ListParams p;
  ListOutput out;
  ASSERT_TRUE(ListObjects(*s3_, "listing", p, &out).ok());
  ASSERT_EQ(out.objects.size(), 1u);
  EXPECT_EQ(out.objects[0].key, "a/b");
  EXPECT_EQ(out.objects[0].etag, "a7e86136543b019d72468ceebf71fb8e" /* md5("a/b") */);
  std::string path;
  EXPECT_EQ(s3_->ObjectPath("listing", ".sgw-uploads/x", &path).code, "InvalidArgument");
  EXPECT_EQ(s3_->ObjectPath("listing", ".trash/x", &path).code, "InvalidArgument");
  EXPECT_EQ(s3_->ObjectPath("listing", "a//b", &path).code, "InvalidArgument");
  EXPECT_EQ(s3_->ObjectPath("other", "a", &path).code, "NoSuchBucket");
}

}  // namespace
}  // namespace slicefs::gateway
