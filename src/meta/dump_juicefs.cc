// Reading `juicefs dump` documents (JuiceFS Community Edition 1.x; mapping
// in docs/formats.md, "JuiceFS dumps"). The document is a nested tree
// (FSTree: each node has attr, xattrs, symlink, chunks and entries, a map
// from child name to child node), read as a stream: one frame per level of
// depth, each holding at most one page of pending entries, so memory grows
// with depth, not with the number of files. Hard-linked inodes appear once
// per name in such a dump; the inodes already written with nlink > 1 are
// remembered so that each is loaded once.
#include <unordered_set>

#include "meta/dump_reader.h"
#include "common/volume_format.h"
#include "meta/keys.h"

namespace slicefs::dump {

namespace {

Status Bad(const std::string& what) { return Status::Invalid("JuiceFS dump: " + what); }

std::optional<FileType> JfsType(std::string_view t) {
  if (t == "regular") return FileType::kFile;
  if (t == "directory") return FileType::kDir;
  if (t == "symlink") return FileType::kSymlink;
  if (t == "fifo") return FileType::kFifo;
  if (t == "blockdev") return FileType::kBlockDev;
  if (t == "chardev") return FileType::kCharDev;
  if (t == "socket") return FileType::kSocket;
  return std::nullopt;
}

Result<int64_t> TimeNs(const json& a, const char* sec, const char* nsec) {
  ASSIGN_OR_RETURN(int64_t s, I64(a, sec, 0));
  ASSIGN_OR_RETURN(uint64_t ns, U64(a, nsec, 0));
  if (ns >= 1000000000) return Err(Bad(std::string("'") + nsec + "' is not below 10^9"));
  return s * 1000000000 + static_cast<int64_t>(ns);
}

Result<std::pair<Ino, Attr>> JfsAttr(const json& a) {
  if (!a.is_object()) return Err(Bad("'attr' is not an object"));
  ASSIGN_OR_RETURN(uint64_t ino, U64(a, "inode"));
  auto t = a.find("type");
  if (t == a.end() || !t->is_string() || !JfsType(t->get_ref<const std::string&>()))
    return Err(Bad("inode " + std::to_string(ino) + " has no valid 'type'"));
  Attr r;
  r.type = *JfsType(t->get_ref<const std::string&>());
  ASSIGN_OR_RETURN(uint64_t mode, U64(a, "mode", 0));
  r.mode = static_cast<uint32_t>(mode & 07777);
  ASSIGN_OR_RETURN(uint64_t uid, U64(a, "uid", 0));
  ASSIGN_OR_RETURN(uint64_t gid, U64(a, "gid", 0));
  r.uid = static_cast<uint32_t>(uid);
  r.gid = static_cast<uint32_t>(gid);
  ASSIGN_OR_RETURN(r.atimeNs, TimeNs(a, "atime", "atimensec"));
  ASSIGN_OR_RETURN(r.mtimeNs, TimeNs(a, "mtime", "mtimensec"));
  ASSIGN_OR_RETURN(r.ctimeNs, TimeNs(a, "ctime", "ctimensec"));
  ASSIGN_OR_RETURN(uint64_t nlink, U64(a, "nlink", 1));
  r.nlink = static_cast<uint32_t>(nlink);
  ASSIGN_OR_RETURN(r.length, U64(a, "length", 0));
  ASSIGN_OR_RETURN(uint64_t rdev, U64(a, "rdev", 0));
  r.rdev = static_cast<uint32_t>(rdev);
  if (r.type == FileType::kDir) r.length = 4096;
  return std::make_pair(ino, r);
}

Result<ChunkRec> JfsChunk(const json& c, Ino ino) {
  if (!c.is_object()) return Err(Bad("a chunk of inode " + std::to_string(ino) + " is not an object"));
  ChunkRec r;
  r.ino = ino;
  ASSIGN_OR_RETURN(uint64_t idx, U64(c, "index"));
  if (idx > UINT32_MAX) return Err(Bad("chunk index too large"));
  r.index = static_cast<uint32_t>(idx);
  auto s = c.find("slices");
  if (s == c.end() || !s->is_array()) return Err(Bad("a chunk of inode " + std::to_string(ino) + " has no 'slices'"));
  for (const auto& x : *s) {
    if (!x.is_object()) return Err(Bad("a slice is not an object"));
    ASSIGN_OR_RETURN(uint64_t id, U64(x, x.contains("id") ? "id" : "chunkid"));
    ASSIGN_OR_RETURN(uint64_t pos, U64(x, "pos", 0));
    ASSIGN_OR_RETURN(uint64_t size, U64(x, "size"));
    ASSIGN_OR_RETURN(uint64_t off, U64(x, "off", 0));
    ASSIGN_OR_RETURN(uint64_t len, U64(x, "len"));
    if (pos > UINT32_MAX || size > UINT32_MAX || off > UINT32_MAX || len > UINT32_MAX)
      return Err(Bad("a slice field is too large"));
    SliceRecord rec{static_cast<uint32_t>(pos), id, static_cast<uint32_t>(size), static_cast<uint32_t>(off),
                    static_cast<uint32_t>(len)};
    if (id == 0) rec.size = rec.len, rec.off = 0;  // a hole
    if (rec.len == 0) continue;
    if (Status st = CheckSlice(rec); !st.ok()) return Err(st);
    r.slices.push_back(rec);
  }
  return r;
}

class JuicefsFormat : public DocFormat {
 public:
  explicit JuicefsFormat(RecordSink& sink) : sink_(sink) {}

  Status On(Event& e) override {
    if (capturing_) {
      if (!dom_.Feed(e)) return Status::OK();
      capturing_ = false;
      return Captured(dom_.Take());
    }
    if (!captureNext_.empty()) {
      what_ = std::move(captureNext_);
      captureNext_.clear();
      capturing_ = true;
      return On(e);
    }
    if (pushNext_ != kNone) {
      Kind k = pushNext_;
      pushNext_ = kNone;
      if (k == kEntries || k == kNode) {
        if (e.kind != Event::kStartObject) return Bad("expected an object");
      } else if (e.kind != Event::kStartArray) {
        return Bad("expected an array");
      }
      if (k == kNode) return PushNode();
      Frame f;
      f.kind = k;
      stack_.push_back(std::move(f));
      return Status::OK();
    }
    Frame& f = stack_.back();
    switch (f.kind) {
      case kTop:
        if (e.kind != Event::kKey) return Bad("unexpected value at the top level");
        if (e.key == "FSTree" || e.key == "Trash") {
          RETURN_IF_ERROR(EmitHeader());
          role_ = e.key == "FSTree" ? kRoleRoot : kRoleTrash;
          name_.clear();
          pushNext_ = kNode;
        } else if (e.key == "DelFiles") {
          pushNext_ = kDelFiles;
        } else {
          captureNext_ = e.key;
        }
        return Status::OK();
      case kNode:
        if (e.kind == Event::kEndObject) return PopNode();
        if (e.kind != Event::kKey) return Bad("unexpected value in a node");
        if (e.key == "entries") {
          if (!f.haveAttr) return Bad("a node's 'entries' come before its 'attr'");
          pushNext_ = kEntries;
        } else if (e.key == "chunks") {
          if (!f.haveAttr) return Bad("a node's 'chunks' come before its 'attr'");
          pushNext_ = kChunks;
        } else {
          captureNext_ = "node." + e.key;
        }
        return Status::OK();
      case kEntries:
        if (e.kind == Event::kEndObject) {
          stack_.pop_back();
          return Status::OK();
        }
        if (e.kind != Event::kKey) return Bad("unexpected value in 'entries'");
        role_ = kRoleChild;
        name_ = e.key;
        pushNext_ = kNode;
        return Status::OK();
      case kChunks:
      case kDelFiles:
        if (e.kind == Event::kEndArray) {
          stack_.pop_back();
          return Status::OK();
        }
        captureNext_ = f.kind == kChunks ? "chunk" : "delfile";
        return On(e);
      case kNone:
        break;
    }
    return Bad("internal parser state");
  }

  Status Finish() override {
    if (stack_.size() != 1) return Bad("the document ends early (truncated dump?)");
    if (!sawTree_) return Bad("the dump has no FSTree");
    return Status::OK();
  }
  uint64_t records() const override { return records_; }

  std::vector<std::string> Warnings() const;

 private:
  enum Kind { kNone, kTop, kNode, kEntries, kChunks, kDelFiles };
  enum Role { kRoleRoot, kRoleTrash, kRoleChild };

  struct Frame {
    Kind kind = kTop;
    Role role = kRoleChild;
    std::string name;     // entry name in the parent node
    bool haveAttr = false;
    bool skip = false;    // the whole subtree is not carried over
    bool dupLink = false; // a hard-linked inode seen already: entry only
    bool trashHour = false;
    InodeRec rec;
    EntriesRec entries;   // pending entries of this directory
  };

  Status PushNode() {
    Frame f;
    f.kind = kNode;
    f.role = role_;
    f.name = name_;
    if (!stack_.empty() && stack_.size() >= 2) {
      const Frame& parent = stack_[stack_.size() - 2];  // the node holding this entries map
      f.skip = parent.skip;
    }
    stack_.push_back(std::move(f));
    return Status::OK();
  }

  // The node owning the current entries map (the frame below it).
  Frame* ParentNode() {
    if (stack_.size() < 3) return nullptr;
    Frame& p = stack_[stack_.size() - 3];
    return p.kind == kNode ? &p : nullptr;
  }

  Status Captured(json v) {
    if (what_ == "Setting") return Setting(v);
    if (what_ == "Counters") {
      counters_ = std::move(v);
      return Status::OK();
    }
    if (what_ == "Sustained") {
      if (v.is_array())
        for (const auto& s : v)
          if (s.is_object() && s.contains("inodes") && s["inodes"].is_array()) sustained_ += s["inodes"].size();
      return Status::OK();
    }
    if (what_ == "Quotas") {
      if (v.is_object() || v.is_array()) quotas_ += v.size();
      return Status::OK();
    }
    if (what_ == "delfile") {
      delFiles_++;
      return Status::OK();
    }
    if (what_ == "chunk") {
      Frame& f = stack_[stack_.size() - 2];
      if (f.skip || f.dupLink) return Status::OK();
      if (f.rec.attr.type != FileType::kFile) return Bad("chunks on inode " + std::to_string(f.rec.ino) + ", which is not a regular file");
      ASSIGN_OR_RETURN(auto c, JfsChunk(v, f.rec.ino));
      if (c.slices.empty()) return Status::OK();
      records_++;
      return sink_.OnChunk(std::move(c));
    }
    if (what_.starts_with("node.")) return NodeField(what_.substr(5), v);
    return Status::OK();  // unknown top-level sections are ignored
  }

  Status NodeField(const std::string& field, const json& v) {
    Frame& f = stack_.back();
    if (field == "attr") return NodeAttr(f, v);
    if (f.skip || f.dupLink) return Status::OK();
    if (field == "xattrs") {
      if (!v.is_array()) return Bad("'xattrs' is not an array");
      for (const auto& x : v) {
        if (!x.is_object() || !x.contains("name") || !x["name"].is_string()) return Bad("an xattr has no name");
        std::string val = x.contains("value") && x["value"].is_string() ? x["value"].get<std::string>() : "";
        f.rec.xattrs.push_back({x["name"].get<std::string>(), std::move(val)});
      }
    } else if (field == "symlink") {
      if (!v.is_string()) return Bad("'symlink' is not a string");
      f.rec.symlink = v.get<std::string>();
      f.rec.attr.length = f.rec.symlink->size();
    } else if (field == "posix_acl_access" || field == "posix_acl_default") {
      if (!v.is_null()) acls_++;
    }
    return Status::OK();
  }

  Status NodeAttr(Frame& f, const json& v) {
    ASSIGN_OR_RETURN(auto a, JfsAttr(v));
    f.haveAttr = true;
    f.rec.ino = a.first;
    f.rec.attr = a.second;
    if (f.role == kRoleRoot) {
      sawTree_ = true;
      if (f.rec.ino != kRootIno) return Bad("the FSTree root is inode " + std::to_string(f.rec.ino) + ", not 1");
      return Status::OK();
    }
    if (f.role == kRoleTrash) {
      f.rec.ino = kTrashIno;
      if (f.rec.attr.type != FileType::kDir) return Bad("the Trash is not a directory");
      return Status::OK();
    }
    if (f.skip) return Status::OK();
    Frame* parent = ParentNode();
    if (!parent) return Bad("a node outside any directory");
    Ino dirIno = parent->rec.ino;
    if (parent->role == kRoleTrash) {
      // JuiceFS keeps trash in hourly directories; slicefs keeps it flat.
      if (f.rec.attr.type == FileType::kDir) {
        f.trashHour = true;
        return Status::OK();
      }
    }
    if (parent->trashHour) {
      dirIno = kTrashIno;
      if (f.rec.attr.type == FileType::kDir) {  // a deleted directory tree
        f.skip = true;
        trashDirs_++;
        return Status::OK();
      }
    }
    if (f.rec.attr.type != FileType::kDir && f.rec.attr.nlink > 1 && !linked_.insert(f.rec.ino).second)
      f.dupLink = true;
    Frame& holder = parent->trashHour ? *TrashFrame() : *parent;
    holder.entries.dir = dirIno;
    holder.entries.list.push_back({f.name, f.rec.ino, f.rec.attr.type});
    if (holder.entries.list.size() >= kMaxListPerRecord) return FlushEntries(holder);
    return Status::OK();
  }

  Frame* TrashFrame() {
    for (auto& f : stack_)
      if (f.kind == kNode && f.role == kRoleTrash) return &f;
    return nullptr;
  }

  Status FlushEntries(Frame& f) {
    if (f.entries.list.empty()) return Status::OK();
    records_++;
    Status st = sink_.OnEntries(std::move(f.entries));
    f.entries = EntriesRec{};
    return st;
  }

  Status PopNode() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (!f.haveAttr) return Bad("a node without 'attr'");
    if (f.skip) return Status::OK();
    RETURN_IF_ERROR(FlushEntries(f));
    if (f.dupLink || f.trashHour) return Status::OK();
    if (f.rec.attr.type == FileType::kSymlink && !f.rec.symlink) return Bad("symlink inode " + std::to_string(f.rec.ino) + " without a target");
    records_++;
    inodes_++;
    return sink_.OnInode(std::move(f.rec));
  }

  Status Setting(const json& s) {
    if (!s.is_object()) return Bad("'Setting' is not an object");
    auto str = [&](const char* k) { return s.contains(k) && s[k].is_string() ? s[k].get<std::string>() : std::string(); };
    auto num = [&](const char* k) { return s.contains(k) && s[k].is_number() ? s[k].get<int64_t>() : int64_t{0}; };
    if (!str("EncryptKey").empty() || (s.contains("KeyEncrypted") && s["KeyEncrypted"].is_boolean() && s["KeyEncrypted"].get<bool>() && !str("EncryptKey").empty()))
      return Bad("the volume's data is encrypted (EncryptKey); slicefs cannot read JuiceFS-encrypted blocks");
    std::string comp = str("Compression");
    if (!comp.empty() && comp != "none")
      return Bad("the volume's data is compressed (" + comp + "); slicefs reads only uncompressed JuiceFS blocks");
    if (num("Shards") > 0) return Bad("the volume stores data in " + std::to_string(num("Shards")) + " shards; slicefs needs one bucket");
    if (num("MetaVersion") > 1) return Bad("metadata version " + std::to_string(num("MetaVersion")) + " is newer than JuiceFS 1.x");
    VolumeFormat f;
    f.name = str("Name");
    f.uuid = str("UUID");
    f.storage = str("Storage");
    if (f.storage == "minio") f.storage = "s3";
    if (f.storage != "file" && f.storage != "s3" && f.storage != "mem")
      return Bad("storage '" + f.storage + "' is not supported by slicefs (file, s3, minio)");
    f.bucket = str("Bucket");
    if (f.storage == "file" && f.bucket.ends_with("/") && f.bucket.size() > 1) f.bucket.pop_back();
    f.accessKey = str("AccessKey");
    f.secretKey = str("SecretKey");
    f.sessionToken = str("SessionToken");
    f.blockSizeKiB = static_cast<uint32_t>(num("BlockSize") ? num("BlockSize") : 4096);
    f.hashPrefix = s.contains("HashPrefix") && s["HashPrefix"].is_boolean() && s["HashPrefix"].get<bool>();
    f.trashDays = static_cast<uint32_t>(s.contains("TrashDays") ? num("TrashDays") : 1);
    f.capacity = static_cast<uint64_t>(num("Capacity"));
    f.inodes = static_cast<uint64_t>(num("Inodes"));
    if (!str("StorageClass").empty()) storageClass_ = str("StorageClass");
    format_ = f.ToJson();
    return Status::OK();
  }

  Status EmitHeader() {
    if (headerSent_) return Status::OK();
    if (format_.empty()) return Bad("'Setting' must come before 'FSTree'");
    Header h;
    h.formatJson = format_;
    if (counters_.is_object()) {
      // JuiceFS counters hold the last number handed out.
      auto next = [&](const char* k) -> int64_t {
        auto it = counters_.find(k);
        return it != counters_.end() && it->is_number_integer() ? it->get<int64_t>() + 1 : 0;
      };
      h.counters.emplace_back(keys::kNextInode, std::max(next("nextInodes"), next("nextInode")));
      h.counters.emplace_back(keys::kNextChunk, next("nextChunk"));
      h.counters.emplace_back(keys::kNextSession, next("nextSession"));
    }
    headerSent_ = true;
    records_++;
    return sink_.OnHeader(std::move(h));
  }

  RecordSink& sink_;
  DomBuilder dom_;
  bool capturing_ = false;
  std::string captureNext_, what_;
  Kind pushNext_ = kNone;
  Role role_ = kRoleChild;
  std::string name_;
  std::vector<Frame> stack_{Frame{}};
  std::unordered_set<Ino> linked_;
  std::string format_, storageClass_;
  json counters_;
  bool headerSent_ = false, sawTree_ = false;
  uint64_t records_ = 0, inodes_ = 0;

 public:
  uint64_t sustained_ = 0, delFiles_ = 0, quotas_ = 0, acls_ = 0, trashDirs_ = 0;
  const std::string& storageClass() const { return storageClass_; }
};

}  // namespace

std::unique_ptr<DocFormat> NewJuicefsFormat(RecordSink& sink) { return std::make_unique<JuicefsFormat>(sink); }

std::vector<std::string> FormatWarnings(const DocFormat& f) {
  auto* j = dynamic_cast<const JuicefsFormat*>(&f);
  std::vector<std::string> out;
  if (!j) return out;
  if (j->sustained_) out.push_back(std::to_string(j->sustained_) + " files deleted while open in JuiceFS were not carried over; their objects are left for gc");
  if (j->delFiles_) out.push_back(std::to_string(j->delFiles_) + " files waiting for deletion in JuiceFS were not carried over; their objects are left for gc");
  if (j->quotas_) out.push_back(std::to_string(j->quotas_) + " directory quotas were not carried over (slicefs has no quotas yet)");
  if (j->acls_) out.push_back(std::to_string(j->acls_) + " POSIX ACLs were not carried over (slicefs has no ACLs yet); the mode bits stay");
  if (j->trashDirs_) out.push_back(std::to_string(j->trashDirs_) + " deleted directory trees in the JuiceFS trash were not carried over");
  if (!j->storageClass().empty()) out.push_back("storage class '" + j->storageClass() + "' is not kept: new blocks use the bucket's default class");
  return out;
}

}  // namespace slicefs::dump
