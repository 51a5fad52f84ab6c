// Unit tests of the key schema and value encodings (the public format).
#include <gtest/gtest.h>

#include "common/encoding.h"
#include "meta/attr_codec.h"
#include "common/volume_format.h"
#include "meta/keys.h"
#include "meta/lock_codec.h"
#include "meta/slice_codec.h"

namespace slicefs {
namespace {

TEST(MetaKeys, ByteLayoutMatchesDocs) {
  EXPECT_EQ(HexEncode(keys::Attr(0x0102)), "41" "0201000000000000" "49");
  EXPECT_EQ(HexEncode(keys::Entry(1, "ab")), "41" "0100000000000000" "44" "6162");
  EXPECT_EQ(HexEncode(keys::Parent(1, 2)), "41" "0100000000000000" "50" "0200000000000000");
  EXPECT_EQ(HexEncode(keys::Chunk(1, 5)), "41" "0100000000000000" "43" "00000005");
  EXPECT_EQ(HexEncode(keys::Symlink(1)), "41" "0100000000000000" "53");
  EXPECT_EQ(HexEncode(keys::Xattr(1, "u")), "41" "0100000000000000" "58" "75");
  EXPECT_EQ(HexEncode(keys::Deleted(1, 7)), "44" "0100000000000000" "0000000000000007");
  EXPECT_EQ(HexEncode(keys::SliceRef(9, 4096)), "4b" "0000000000000009" "00001000");
  EXPECT_EQ(HexEncode(keys::Delayed(3, 9)), "4c" "0000000000000003" "0000000000000009");
  EXPECT_EQ(HexEncode(keys::SessionExpire(2)), "5345" "0000000000000002");
  EXPECT_EQ(HexEncode(keys::SessionInfo(2)), "5349" "0000000000000002");
  EXPECT_EQ(HexEncode(keys::SessionFile(2, 1)), "5353" "0000000000000002" "0100000000000000");
  EXPECT_EQ(keys::Counter("nextInode"), "CnextInode");
  EXPECT_EQ(keys::Setting(), "setting");
  EXPECT_EQ(HexEncode(keys::Flock(1)), "46" "0100000000000000");
  EXPECT_EQ(HexEncode(keys::Plock(1)), "50" "0100000000000000");
}

TEST(MetaKeys, ParsersInvertBuilders) {
  EXPECT_EQ(*keys::EntryName(keys::Entry(7, "name")), "name");
  EXPECT_EQ(*keys::ParentOf(keys::Parent(7, 9)), 9u);
  EXPECT_EQ(*keys::ChunkIndex(keys::Chunk(7, 300)), 300u);
  auto d = keys::ParseDeleted(keys::Deleted(7, 1 << 20));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ino, 7u);
  EXPECT_EQ(d->length, 1u << 20);
  auto k = keys::ParseSliceRef(keys::SliceRef(12, 34));
  EXPECT_EQ(k->id, 12u);
  EXPECT_EQ(k->size, 34u);
  EXPECT_EQ(*keys::SessionFileIno(keys::SessionFile(3, 77)), 77u);
  EXPECT_FALSE(keys::ChunkIndex("short"));
  // Chunk keys of one inode sort by index.
  EXPECT_LT(keys::Chunk(1, 255), keys::Chunk(1, 256));
}

TEST(MetaCodec, AttrRoundTripAndCorruption) {
  Attr a;
  a.type = FileType::kSymlink;
  a.mode = 04755;
  a.uid = 1000;
  a.gid = 50;
  a.nlink = 3;
  a.length = 1ULL << 40;
  a.rdev = 0x0801;
  a.atimeNs = -5;
  a.mtimeNs = 1700000000123456789;
  a.ctimeNs = 42;
  a.parent = 0xdeadbeef;
  a.flags = 2;
  std::string v = EncodeAttr(a);
  EXPECT_EQ(v.size(), kAttrEncodedSize);
  EXPECT_EQ(static_cast<uint8_t>(v[0]), kAttrVersion);
  auto b = DecodeAttr(v);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, a);
  EXPECT_EQ(DecodeAttr(v.substr(0, 30)).error().code(), EIO);
  std::string bad = v;
  bad[0] = 9;
  EXPECT_EQ(DecodeAttr(bad).error().code(), EIO);
  bad = v;
  bad[1] = 0;
  EXPECT_EQ(DecodeAttr(bad).error().code(), EIO);
  EXPECT_EQ(DecodeEntry("x").error().code(), EIO);
  auto e = DecodeEntry(EncodeEntry(FileType::kDir, 99));
  EXPECT_EQ(e->type, FileType::kDir);
  EXPECT_EQ(e->ino, 99u);
}

TEST(MetaCodec, SliceRecordsAndView) {
  std::vector<SliceRecord> recs{{0, 1, 100, 0, 100}, {20, 2, 50, 5, 30}, {90, 3, 40, 0, 40}};
  std::string v = EncodeSliceRecords(recs);
  EXPECT_EQ(v.size(), 3 * kSliceRecordSize);
  EXPECT_EQ(*DecodeSliceRecords(v), recs);
  EXPECT_EQ(DecodeSliceRecords(v.substr(1)).error().code(), EIO);
  auto view = BuildChunkView(recs);
  std::vector<SliceRecord> want{{0, 1, 100, 0, 20}, {20, 2, 50, 5, 30}, {50, 1, 100, 50, 40}, {90, 3, 40, 0, 40}};
  EXPECT_EQ(view, want);
  // A later record covering everything hides the rest.
  recs.push_back({0, 4, 200, 0, 200});
  EXPECT_EQ(BuildChunkView(recs), (std::vector<SliceRecord>{{0, 4, 200, 0, 200}}));
}

TEST(MetaCodec, LockRecords) {
  std::vector<FlockRecord> f{{1, 2, 1}, {3, 4, 0}};
  EXPECT_EQ(*DecodeFlocks(EncodeFlocks(f)), f);
  std::vector<PlockRecord> p{{1, 2, 1, 0, UINT64_MAX, 77}};
  EXPECT_EQ(*DecodePlocks(EncodePlocks(p)), p);
  EXPECT_FALSE(DecodePlocks("abc"));
}

TEST(MetaFormat, JsonValidateAndRedaction) {
  VolumeFormat f;
  f.name = "vol-1";
  f.uuid = GenerateUuid();
  f.bucket = "/tmp/b";
  f.secretKey = "s3cr3t";
  EXPECT_TRUE(f.Validate().ok());
  auto g = VolumeFormat::FromJson(f.ToJson());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->ToJson(), f.ToJson());
  EXPECT_EQ(f.ToJson(true).find("s3cr3t"), std::string::npos);
  EXPECT_NE(f.ToJson(false).find("s3cr3t"), std::string::npos);
  EXPECT_EQ(f.uuid.size(), 36u);
  for (const std::string& bad : {std::string("ab"), std::string("Upper"), std::string("-lead"),
                                 std::string("has space"), std::string(64, 'a')}) {
    VolumeFormat h = f;
    h.name = bad;
    EXPECT_EQ(h.Validate().code(), EINVAL) << bad;
  }
  VolumeFormat h = f;
  h.blockSizeKiB = 32;
  EXPECT_EQ(h.Validate().code(), EINVAL);
  h = f;
  h.compression = "gzip";
  EXPECT_EQ(h.Validate().code(), EINVAL);
  EXPECT_FALSE(VolumeFormat::FromJson("not json"));
  EXPECT_FALSE(VolumeFormat::FromJson("{\"blockSizeKiB\": \"x\"}"));
}

}  // namespace
}  // namespace slicefs
