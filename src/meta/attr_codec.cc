#include "meta/attr_codec.h"

#include "common/encoding.h"

namespace slicefs {

// Layout v1 (61 bytes):
//   version u8 | type u8 | flags u8 | mode BE16 | uid BE32 | gid BE32 |
//   atime BE64 | mtime BE64 | ctime BE64 (ns, signed) | nlink BE32 |
//   length BE64 | rdev BE32 | parent BE64
std::string EncodeAttr(const Attr& a) {
  std::string v;
  const bool withAcl = a.accessAcl != 0 || a.defaultAcl != 0;
  v.reserve(withAcl ? kAttrEncodedSizeAcl : kAttrEncodedSize);
  PutU8(v, withAcl ? kAttrVersionAcl : kAttrVersion);
  PutU8(v, static_cast<uint8_t>(a.type));
  PutU8(v, a.flags);
  PutBE16(v, static_cast<uint16_t>(a.mode & 07777));
  PutBE32(v, a.uid);
  PutBE32(v, a.gid);
  PutBE64(v, static_cast<uint64_t>(a.atimeNs));
  PutBE64(v, static_cast<uint64_t>(a.mtimeNs));
  PutBE64(v, static_cast<uint64_t>(a.ctimeNs));
  PutBE32(v, a.nlink);
  PutBE64(v, a.length);
  PutBE32(v, a.rdev);
  PutBE64(v, a.parent);
  if (withAcl) {
    PutBE32(v, a.accessAcl);
    PutBE32(v, a.defaultAcl);
  }
  return v;
}

Result<Attr> DecodeAttr(std::string_view v) {
  Reader r(v);
  auto ver = r.U8();
  if (!ver) return Err(EIO, "corrupt inode attributes: empty value");
  if (*ver != kAttrVersion && *ver != kAttrVersionAcl)
    return Err(EIO, "unsupported inode attribute version " + std::to_string(*ver));
  if (v.size() < (*ver == kAttrVersionAcl ? kAttrEncodedSizeAcl : kAttrEncodedSize)) return Err(EIO, "corrupt inode attributes: short value");
  Attr a;
  auto t = *r.U8();
  if (t < 1 || t > 7) return Err(EIO, "corrupt inode attributes: bad type");
  a.type = static_cast<FileType>(t);
  a.flags = *r.U8();
  a.mode = *r.BE16();
  a.uid = *r.BE32();
  a.gid = *r.BE32();
  a.atimeNs = static_cast<int64_t>(*r.BE64());
  a.mtimeNs = static_cast<int64_t>(*r.BE64());
  a.ctimeNs = static_cast<int64_t>(*r.BE64());
  a.nlink = *r.BE32();
  a.length = *r.BE64();
  a.rdev = *r.BE32();
  a.parent = *r.BE64();
  if (*ver == kAttrVersionAcl) {
    a.accessAcl = *r.BE32();
    a.defaultAcl = *r.BE32();
  }
  return a;
}

std::string EncodeEntry(FileType type, Ino ino) {
  std::string v;
  PutU8(v, static_cast<uint8_t>(type));
  PutBE64(v, ino);
  return v;
}

Result<EntryValue> DecodeEntry(std::string_view v) {
  if (v.size() != 9 || v[0] < 1 || v[0] > 7) return Err(EIO, "corrupt directory entry");
  return EntryValue{static_cast<FileType>(v[0]), GetBE64(v, 1)};
}

std::string EncodeCounter(int64_t v) {
  std::string s;
  PutBE64(s, static_cast<uint64_t>(v));
  return s;
}

int64_t DecodeCounter(std::string_view v) {
  if (v.size() < 8) return 0;
  return static_cast<int64_t>(GetBE64(v, 0));
}

}  // namespace slicefs
