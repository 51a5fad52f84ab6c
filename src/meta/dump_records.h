// The records of a metadata dump (docs/formats.md, "Metadata dump") and
// their JSON form, shared by the dump writer, the document readers (slicefs
// and JuiceFS) and the loader. Internal to src/meta.
//
// Byte strings that are not valid UTF-8 (names, xattr values, symlink
// targets) are written as {"base64": "..."}; everything else as a string.
// Decoders return EINVAL with a message naming the bad field.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "meta/types.h"

namespace slicefs::dump {

using json = nlohmann::ordered_json;

inline constexpr int kDumpVersion = 1;
inline constexpr char kMagicKey[] = "slicefs-dump";
// Most items a writer puts into one entries/xattrs/chunk record.
inline constexpr size_t kMaxListPerRecord = 1000;

struct Xattr {
  std::string name, value;
};

struct InodeRec {
  Ino ino = 0;
  Attr attr;                           // parent is ignored by the loader
  std::optional<std::string> symlink;  // symlinks only
  std::vector<Xattr> xattrs;
};

struct EntryRec {
  std::string name;
  Ino ino = 0;
  FileType type = FileType::kFile;
};

struct EntriesRec {
  Ino dir = 0;
  std::vector<EntryRec> list;
};

struct XattrsRec {
  Ino ino = 0;
  std::vector<Xattr> list;
};

struct ChunkRec {
  Ino ino = 0;
  uint32_t index = 0;
  std::vector<SliceRecord> slices;
};

struct DeletedRec {
  Ino ino = 0;
  uint64_t length = 0;
  int64_t time = 0;  // unix seconds of the deletion
};

// A directory quota (whole-volume dumps): limits and usage as dumped.
struct QuotaRec {
  Ino ino = 0;
  uint64_t maxSpace = 0, maxInodes = 0;
  int64_t usedSpace = 0, usedInodes = 0;
};

struct Header {
  std::string formatJson;                 // the volume format (setting), JSON text
  std::vector<std::pair<std::string, int64_t>> counters;
  Ino root = kRootIno;                    // the inode that becomes the root (subdir dumps)
};

// Where readers deliver records, in document order. Positions of the
// current record are known to the reader, which adds them to errors.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status OnHeader(Header h) = 0;
  virtual Status OnInode(InodeRec r) = 0;
  virtual Status OnEntries(EntriesRec r) = 0;
  virtual Status OnXattrs(XattrsRec r) = 0;
  virtual Status OnChunk(ChunkRec r) = 0;
  virtual Status OnDeleted(DeletedRec r) = 0;
  virtual Status OnQuota(QuotaRec r) { return Status::OK(); }  // sinks without quotas ignore them
};

const char* TypeName(FileType t);
std::optional<FileType> TypeFromName(std::string_view s);

bool ValidUtf8(std::string_view s);
json BytesToJson(std::string_view bytes);
Result<std::string> BytesFromJson(const json& j, const char* field);

json AttrToJson(const Attr& a);
Result<Attr> AttrFromJson(const json& j);

// One slicefs record, as written by the dump writer.
json InodeToJson(const InodeRec& r);
json EntriesToJson(const EntriesRec& r);
json XattrsToJson(const XattrsRec& r);
json ChunkToJson(const ChunkRec& r);
json DeletedToJson(const DeletedRec& r);
json QuotaToJson(const QuotaRec& r);
// Decodes one element of "records" and hands it to the sink.
Status DecodeRecord(const json& rec, RecordSink& sink);

// Checks one slice record: pos+len within the chunk, off+len within the
// slice, non-empty. EINVAL with a message.
Status CheckSlice(const SliceRecord& s);

// JSON number helpers: the value of an unsigned/signed integer field, or
// EINVAL naming the field (absent -> `def` when given).
Result<uint64_t> U64(const json& obj, const char* field, std::optional<uint64_t> def = std::nullopt);
Result<int64_t> I64(const json& obj, const char* field, std::optional<int64_t> def = std::nullopt);

}  // namespace slicefs::dump
