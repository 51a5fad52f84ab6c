// JSON form of dump records.
#include "meta/dump_records.h"

#include "common/encoding.h"

namespace slicefs::dump {

namespace {
constexpr const char* kTypeNames[] = {"", "file", "dir", "symlink", "fifo", "blockdev", "chardev", "socket"};

Status Bad(const std::string& what) { return Status::Invalid(what); }
}  // namespace

const char* TypeName(FileType t) {
  auto i = static_cast<size_t>(t);
  return i >= 1 && i <= 7 ? kTypeNames[i] : "unknown";
}

std::optional<FileType> TypeFromName(std::string_view s) {
  for (size_t i = 1; i <= 7; i++) {
    if (s == kTypeNames[i]) return static_cast<FileType>(i);
  }
  return std::nullopt;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // the sequence is cut off
    for (size_t k = 1; k <= n; k++) {
      auto d = static_cast<uint8_t>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

json BytesToJson(std::string_view bytes) {
  if (ValidUtf8(bytes)) return json(std::string(bytes));
  return json{{"base64", Base64Encode(bytes)}};
}

Result<std::string> BytesFromJson(const json& j, const char* field) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    auto it = j.find("base64");
    if (it != j.end() && it->is_string()) {
      auto d = Base64Decode(it->get_ref<const std::string&>());
      if (d) return std::move(*d);
    }
  }
  return Err(Bad(std::string("'") + field + "' is neither a string nor {\"base64\": ...}"));
}

Result<uint64_t> U64(const json& obj, const char* field, std::optional<uint64_t> def) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (def) return *def;
    return Err(Bad(std::string("missing field '") + field + "'"));
  }
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer() && it->get<int64_t>() >= 0) return static_cast<uint64_t>(it->get<int64_t>());
  return Err(Bad(std::string("field '") + field + "' is not a non-negative integer"));
}

Result<int64_t> I64(const json& obj, const char* field, std::optional<int64_t> def) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (def) return *def;
    return Err(Bad(std::string("missing field '") + field + "'"));
  }
  if (it->is_number_integer() && (!it->is_number_unsigned() || it->get<uint64_t>() <= INT64_MAX))
    return it->get<int64_t>();
  return Err(Bad(std::string("field '") + field + "' is not an integer"));
}

namespace {
Result<uint32_t> U32(const json& obj, const char* field, std::optional<uint64_t> def = std::nullopt) {
  ASSIGN_OR_RETURN(uint64_t v, U64(obj, field, def));
  if (v > UINT32_MAX) return Err(Bad(std::string("field '") + field + "' is too large"));
  return static_cast<uint32_t>(v);
}

Result<std::vector<Xattr>> XattrList(const json& list) {
  if (!list.is_array()) return Err(Bad("'xattrs' is not an array"));
  std::vector<Xattr> out;
  for (const auto& x : list) {
    if (!x.is_object() || !x.contains("name") || !x.contains("value")) return Err(Bad("an xattr is not {name, value}"));
    Xattr a;
    ASSIGN_OR_RETURN(a.name, BytesFromJson(x["name"], "name"));
    ASSIGN_OR_RETURN(a.value, BytesFromJson(x["value"], "value"));
    if (a.name.empty() || a.name.size() > kMaxXattrNameLen) return Err(Bad("bad xattr name length"));
    if (a.value.size() > kMaxXattrValueLen) return Err(Bad("xattr value longer than 64 KiB"));
    out.push_back(std::move(a));
  }
  return out;
}

json XattrListJson(const std::vector<Xattr>& list) {
  json out = json::array();
  for (const auto& x : list) out.push_back(json{{"name", BytesToJson(x.name)}, {"value", BytesToJson(x.value)}});
  return out;
}
}  // namespace

json AttrToJson(const Attr& a) {
  return json{{"type", TypeName(a.type)}, {"mode", a.mode},     {"uid", a.uid},       {"gid", a.gid},
              {"atime", a.atimeNs},       {"mtime", a.mtimeNs}, {"ctime", a.ctimeNs}, {"nlink", a.nlink},
              {"length", a.length},       {"rdev", a.rdev},     {"flags", a.flags}};
}

Result<Attr> AttrFromJson(const json& j) {
  if (!j.is_object()) return Err(Bad("'attr' is not an object"));
  Attr a;
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) return Err(Bad("attr without a 'type'"));
  auto ft = TypeFromName(t->get_ref<const std::string&>());
  if (!ft) return Err(Bad("unknown file type '" + t->get<std::string>() + "'"));
  a.type = *ft;
  ASSIGN_OR_RETURN(a.mode, U32(j, "mode"));
  if (a.mode > 07777) return Err(Bad("mode has bits beyond 07777"));
  ASSIGN_OR_RETURN(a.uid, U32(j, "uid", 0));
  ASSIGN_OR_RETURN(a.gid, U32(j, "gid", 0));
  ASSIGN_OR_RETURN(a.atimeNs, I64(j, "atime", 0));
  ASSIGN_OR_RETURN(a.mtimeNs, I64(j, "mtime", 0));
  ASSIGN_OR_RETURN(a.ctimeNs, I64(j, "ctime", 0));
  ASSIGN_OR_RETURN(a.nlink, U32(j, "nlink", 1));
  ASSIGN_OR_RETURN(a.length, U64(j, "length", 0));
  ASSIGN_OR_RETURN(a.rdev, U32(j, "rdev", 0));
  ASSIGN_OR_RETURN(uint32_t flags, U32(j, "flags", 0));
  a.flags = static_cast<uint8_t>(flags);
  if (a.type == FileType::kDir) a.length = 4096;
  return a;
}

json InodeToJson(const InodeRec& r) {
  json j{{"inode", r.ino}, {"attr", AttrToJson(r.attr)}};
  if (r.symlink) j["symlink"] = BytesToJson(*r.symlink);
  if (!r.xattrs.empty()) j["xattrs"] = XattrListJson(r.xattrs);
  return j;
}

json EntriesToJson(const EntriesRec& r) {
  json list = json::array();
  for (const auto& e : r.list) list.push_back(json{{"name", BytesToJson(e.name)}, {"inode", e.ino}, {"type", TypeName(e.type)}});
  return json{{"entries", r.dir}, {"list", std::move(list)}};
}

json XattrsToJson(const XattrsRec& r) { return json{{"xattrs", r.ino}, {"list", XattrListJson(r.list)}}; }

json ChunkToJson(const ChunkRec& r) {
  json slices = json::array();
  for (const auto& s : r.slices) slices.push_back(json::array({s.pos, s.id, s.size, s.off, s.len}));
  return json{{"chunk", r.ino}, {"index", r.index}, {"slices", std::move(slices)}};
}

json QuotaToJson(const QuotaRec& r) {
  return json{{"quota", r.ino},
              {"maxSpace", r.maxSpace},
              {"maxInodes", r.maxInodes},
              {"usedSpace", r.usedSpace},
              {"usedInodes", r.usedInodes}};
}

json DeletedToJson(const DeletedRec& r) { return json{{"deleted", r.ino}, {"length", r.length}, {"time", r.time}}; }

Status CheckSlice(const SliceRecord& s) {
  if (s.len == 0) return Bad("slice record with len 0");
  if (static_cast<uint64_t>(s.pos) + s.len > kChunkSize) return Bad("slice record extends past its 64 MiB chunk");
  if (static_cast<uint64_t>(s.off) + s.len > s.size) return Bad("slice record uses bytes past the end of its slice (off + len > size)");
  return Status::OK();
}

namespace {
Result<Ino> InoField(const json& rec, const char* field) {
  ASSIGN_OR_RETURN(uint64_t v, U64(rec, field));
  if (v == 0) return Err(Bad(std::string("'") + field + "' is inode 0"));
  return v;
}

Status DecodeInode(const json& rec, RecordSink& sink) {
  InodeRec r;
  ASSIGN_OR_RETURN(r.ino, InoField(rec, "inode"));
  auto a = rec.find("attr");
  if (a == rec.end()) return Bad("inode record without 'attr'");
  ASSIGN_OR_RETURN(r.attr, AttrFromJson(*a));
  if (auto s = rec.find("symlink"); s != rec.end()) {
    ASSIGN_OR_RETURN(auto t, BytesFromJson(*s, "symlink"));
    r.symlink = std::move(t);
  }
  if (r.attr.type == FileType::kSymlink && !r.symlink) return Bad("symlink inode without 'symlink' target");
  if (r.attr.type != FileType::kSymlink && r.symlink) return Bad("'symlink' on an inode that is not a symlink");
  if (r.symlink && (r.symlink->empty() || r.symlink->size() >= kMaxSymlinkLen)) return Bad("bad symlink target length");
  if (r.symlink) r.attr.length = r.symlink->size();
  if (auto x = rec.find("xattrs"); x != rec.end()) {
    ASSIGN_OR_RETURN(r.xattrs, XattrList(*x));
  }
  return sink.OnInode(std::move(r));
}

Status DecodeEntries(const json& rec, RecordSink& sink) {
  EntriesRec r;
  ASSIGN_OR_RETURN(r.dir, InoField(rec, "entries"));
  auto l = rec.find("list");
  if (l == rec.end() || !l->is_array()) return Bad("entries record without a 'list' array");
  for (const auto& e : *l) {
    if (!e.is_object()) return Bad("an entry is not an object");
    EntryRec x;
    if (!e.contains("name")) return Bad("entry without 'name'");
    ASSIGN_OR_RETURN(x.name, BytesFromJson(e["name"], "name"));
    if (x.name.empty() || x.name.size() > kMaxNameLen || x.name.find('/') != std::string::npos ||
        x.name.find('\0') != std::string::npos || x.name == "." || x.name == "..")
      return Bad("bad entry name '" + x.name + "'");
    ASSIGN_OR_RETURN(x.ino, InoField(e, "inode"));
    auto t = e.find("type");
    if (t == e.end() || !t->is_string() || !TypeFromName(t->get_ref<const std::string&>()))
      return Bad("entry '" + x.name + "' without a valid 'type'");
    x.type = *TypeFromName(t->get_ref<const std::string&>());
    r.list.push_back(std::move(x));
  }
  return sink.OnEntries(std::move(r));
}

Status DecodeChunk(const json& rec, RecordSink& sink) {
  ChunkRec r;
  ASSIGN_OR_RETURN(r.ino, InoField(rec, "chunk"));
  ASSIGN_OR_RETURN(r.index, U32(rec, "index"));
  auto l = rec.find("slices");
  if (l == rec.end() || !l->is_array()) return Bad("chunk record without a 'slices' array");
  for (const auto& s : *l) {
    if (!s.is_array() || s.size() != 5) return Bad("a slice is not [pos, id, size, off, len]");
    for (const auto& n : s) {
      if (!n.is_number_unsigned() && !(n.is_number_integer() && n.get<int64_t>() >= 0))
        return Bad("a slice field is not a non-negative integer");
    }
    uint64_t v[5];
    for (int i = 0; i < 5; i++) v[i] = s[i].get<uint64_t>();
    if (v[0] > UINT32_MAX || v[2] > UINT32_MAX || v[3] > UINT32_MAX || v[4] > UINT32_MAX)
      return Bad("a slice field is too large");
    SliceRecord sr{static_cast<uint32_t>(v[0]), v[1], static_cast<uint32_t>(v[2]), static_cast<uint32_t>(v[3]),
                   static_cast<uint32_t>(v[4])};
    RETURN_IF_ERROR(CheckSlice(sr));
    r.slices.push_back(sr);
  }
  if (r.slices.empty()) return Bad("chunk record without slices");
  return sink.OnChunk(std::move(r));
}
}  // namespace

Status DecodeRecord(const json& rec, RecordSink& sink) {
  if (!rec.is_object()) return Bad("a record is not an object");
  if (rec.contains("inode")) return DecodeInode(rec, sink);
  if (rec.contains("entries")) return DecodeEntries(rec, sink);
  if (rec.contains("chunk")) return DecodeChunk(rec, sink);
  if (rec.contains("xattrs")) {
    XattrsRec r;
    ASSIGN_OR_RETURN(r.ino, InoField(rec, "xattrs"));
    auto l = rec.find("list");
    if (l == rec.end()) return Bad("xattrs record without a 'list'");
    ASSIGN_OR_RETURN(r.list, XattrList(*l));
    return sink.OnXattrs(std::move(r));
  }
  if (rec.contains("deleted")) {
    DeletedRec r;
    ASSIGN_OR_RETURN(r.ino, InoField(rec, "deleted"));
    ASSIGN_OR_RETURN(r.length, U64(rec, "length"));
    ASSIGN_OR_RETURN(r.time, I64(rec, "time", 0));
    return sink.OnDeleted(std::move(r));
  }
  if (rec.contains("quota")) {
    QuotaRec r;
    ASSIGN_OR_RETURN(r.ino, InoField(rec, "quota"));
    ASSIGN_OR_RETURN(r.maxSpace, U64(rec, "maxSpace", 0));
    ASSIGN_OR_RETURN(r.maxInodes, U64(rec, "maxInodes", 0));
    ASSIGN_OR_RETURN(r.usedSpace, I64(rec, "usedSpace", 0));
    ASSIGN_OR_RETURN(r.usedInodes, I64(rec, "usedInodes", 0));
    return sink.OnQuota(std::move(r));
  }
  return Bad("unknown record kind (expected inode, entries, chunk, xattrs, deleted or quota)");
}

}  // namespace slicefs::dump
