// LoadVolume: writes dump records into an empty engine in batched
// transactions, then verifies the loaded keys in one pass over the inode
// key range, recomputing link counts, parents, counters and usage, and
// writes the `setting` key last. On any failure everything is dropped.
//
// Provisional keys during a load: every entry (dir D, name N -> child C)
// adds to A{C}P{D} a 16-byte value (link count BE64, number of the first
// record naming it BE64); the verification pass turns these into the
// final parent records (or the attribute's parent field) and uses them to
// find inodes that no entry names or that are named but absent.
#include <spdlog/spdlog.h>

#include <map>
#include <unordered_map>

#include "common/encoding.h"
#include "meta/acl.h"
#include "meta/attr_codec.h"
#include "meta/dump.h"
#include "meta/dump_reader.h"
#include "meta/dump_records.h"
#include "common/volume_format.h"
#include "meta/keys.h"
#include "meta/meta_impl.h"
#include "meta/slice_codec.h"
#include "kv/scan.h"

namespace slicefs {

namespace {

using namespace dump;

constexpr size_t kBatchOps = 1000;
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kPage = 1000;
constexpr uint64_t kProgressEvery = 4096;

std::string ParentValue(int64_t count, uint64_t rec) {
  std::string v;
  PutBE64(v, static_cast<uint64_t>(count));
  PutBE64(v, rec);
  return v;
}

// What a key names, for messages.
std::string Describe(const std::string& k) {
  if (auto ik = keys::ParseInodeKey(k)) {
    std::string ino = std::to_string(ik->ino);
    switch (ik->kind) {
      case 'I': return "inode " + ino + " appears twice";
      case 'D': return "directory " + ino + " has the entry '" + std::string(keys::EntryName(k).value_or("")) + "' twice";
      case 'C': return "chunk " + std::to_string(keys::ChunkIndex(k).value_or(0)) + " of inode " + ino + " appears twice";
      case 'X': return "xattr '" + std::string(keys::XattrName(k).value_or("")) + "' of inode " + ino + " appears twice";
      case 'S': return "symlink target of inode " + ino + " appears twice";
    }
  }
  if (auto d = keys::ParseDeleted(k)) return "deleted file " + std::to_string(d->ino) + " appears twice";
  return "key " + HexEncode(k) + " appears twice";
}

class Loader : public RecordSink {
 public:
  Loader(KvStore& kv, const LoadOptions& opts) : kv_(kv), opts_(opts) {}

  // ---- records ---------------------------------------------------------
  Status OnHeader(Header h) override {
    rec_++;
    auto fmt = VolumeFormat::FromJson(h.formatJson);
    if (!fmt) return Here("the format in the header is not valid: " + fmt.error().message());
    if (!opts_.accessKey.empty()) fmt->accessKey = opts_.accessKey;
    if (!opts_.secretKey.empty()) fmt->secretKey = opts_.secretKey;
    if (fmt->version != 1) return Here("unsupported metadata version " + std::to_string(fmt->version));
    Status v = fmt->Validate();
    if (!v.ok()) return Here("the format in the header is not valid: " + v.message());
    // Keep the fields this version does not know: patch the source JSON.
    auto j = json::parse(h.formatJson, nullptr, false);
    if (!j.is_object()) return Here("the format in the header is not a JSON object");
    j["accessKey"] = fmt->accessKey;
    j["secretKey"] = fmt->secretKey;
    setting_ = j.dump(2);
    for (auto& [name, val] : h.counters) counters_[name] = val;
    root_ = h.root;
    haveHeader_ = true;
    return Status::OK();
  }

  Status OnInode(InodeRec r) override {
    RETURN_IF_ERROR(Begin());
    r.ino = Map(r.ino);
    if (r.ino == kTrashIno && r.attr.type != FileType::kDir) return Here("the trash inode is not a directory");
    if (r.ino == kRootIno && r.attr.type != FileType::kDir) return Here("the root inode is not a directory");
    if (r.ino < kTrashIno) maxIno_ = std::max(maxIno_, r.ino);
    inodes_++;
    if (r.attr.nlink == 0 && r.ino != kRootIno && r.ino != kTrashIno && r.attr.type != FileType::kDir) {
      // Unlinked while open: nobody holds it in the new engine, so its data
      // becomes a pending deletion.
      if (r.attr.type == FileType::kFile && r.attr.length > 0) {
        std::string t;
        PutBE64(t, static_cast<uint64_t>(MetaImpl::NowNs() / 1000000000));
        return PutNew(keys::Deleted(r.ino, r.attr.length), t);
      }
      return Status::OK();
    }
    r.attr.parent = 0;
    RETURN_IF_ERROR(TakeAcls(r));
    RETURN_IF_ERROR(PutNew(keys::Attr(r.ino), EncodeAttr(r.attr)));
    if (r.symlink) RETURN_IF_ERROR(PutNew(keys::Symlink(r.ino), *r.symlink));
    for (auto& x : r.xattrs) RETURN_IF_ERROR(PutNew(keys::Xattr(r.ino, x.name), x.value));
    return Status::OK();
  }

  Status OnEntries(EntriesRec r) override {
    RETURN_IF_ERROR(Begin());
    Ino dir = Map(r.dir);
    for (auto& e : r.list) {
      Ino child = Map(e.ino);
      RETURN_IF_ERROR(PutNew(keys::Entry(dir, e.name), EncodeEntry(e.type, child)));
      RETURN_IF_ERROR(Add(keys::Parent(child, dir), 1, true));
    }
    return Status::OK();
  }

  Status OnXattrs(XattrsRec r) override {
    RETURN_IF_ERROR(Begin());
    Ino ino = Map(r.ino);
    for (auto& x : r.list) {
      if (acl::IsAclXattr(x.name)) return Here("an ACL (" + x.name + ") must be in its inode's record");
      RETURN_IF_ERROR(PutNew(keys::Xattr(ino, x.name), x.value));
    }
    return Status::OK();
  }

  Status OnChunk(ChunkRec r) override {
    RETURN_IF_ERROR(Begin());
    Ino ino = Map(r.ino);
    if (static_cast<uint64_t>(r.index) * kChunkSize / kChunkSize != r.index) return Here("chunk index too large");
    for (const auto& s : r.slices) {
      Status st = CheckSlice(s);
      if (!st.ok()) return Here(st.message());
      if (s.id == 0) continue;
      maxSlice_ = std::max(maxSlice_, s.id);
      RETURN_IF_ERROR(Add(keys::SliceRef(s.id, s.size), 1, false));
    }
    return PutNew(keys::Chunk(ino, r.index), EncodeSliceRecords(r.slices));
  }

  Status OnDeleted(DeletedRec r) override {
    RETURN_IF_ERROR(Begin());
    std::string t;
    PutBE64(t, static_cast<uint64_t>(r.time));
    if (r.ino < kTrashIno) maxIno_ = std::max(maxIno_, r.ino);
    return PutNew(keys::Deleted(Map(r.ino), r.length), t);
  }

  Status OnQuota(QuotaRec r) override {
    RETURN_IF_ERROR(Begin());
    return PutNew(keys::Quota(Map(r.ino)), EncodeQuota(Quota{r.maxSpace, r.maxInodes, r.usedSpace, r.usedInodes}));
  }

  uint64_t* position() { return &bytes_; }
  uint64_t records() const { return rec_; }

  // ---- after the document -------------------------------------------
  Result<LoadStats> Finish(const std::string& source) {
    if (!haveHeader_) return Err(EINVAL, "the dump has no header");
    META_TRY(Flush());
    META_TRY(Verify());
    META_TRY(FlushDirStats());
    META_TRY(WriteVolume());
    LoadStats s;
    s.totals = Progress();
    s.source = source;
    s.files = files_;
    s.dirs = dirs_;
    s.usedSpace = static_cast<uint64_t>(usedSpace_);
    return s;
  }

 private:
  struct Pending {
    std::string value;
    uint64_t rec;
  };

  DumpProgress Progress() const { return DumpProgress{inodes_, rec_, bytes_}; }

  Status Here(const std::string& msg) const {
    return Status::Invalid("record " + std::to_string(rec_) + " (byte " + std::to_string(bytes_) + "): " + msg);
  }

  Ino Map(Ino ino) const { return ino == root_ ? kRootIno : ino; }

  // Every record: counts it, flushes a full batch, reports progress.
  Status Begin() {
    if (!haveHeader_) return Status::Invalid("record " + std::to_string(rec_ + 1) + ": a record before the header");
    rec_++;
    if (opts_.progress && rec_ % kProgressEvery == 0) opts_.progress(Progress());
    if (news_.size() + adds_.size() >= kBatchOps || batchBytes_ >= kBatchBytes) return Flush();
    return Status::OK();
  }

  Status PutNew(std::string key, std::string value) {
    batchBytes_ += key.size() + value.size();
    auto [it, fresh] = news_.emplace(std::move(key), Pending{std::move(value), rec_});
    if (!fresh) return Here(Describe(it->first));
    return Status::OK();
  }

  // Adds to a counter key (slice refs: 8 bytes; provisional parents: 16).
  Status Add(std::string key, int64_t delta, bool parent) {
    batchBytes_ += key.size() + 16;
    auto [it, fresh] = adds_.emplace(std::move(key), std::pair<int64_t, uint64_t>{0, rec_});
    it->second.first += delta;
    (void)parent;
    return Status::OK();
  }

  // Writes the batch in one transaction, refusing keys that exist already.
  Status Flush() {
    if (news_.empty() && adds_.empty()) return Status::OK();
    std::vector<std::string> keys;
    keys.reserve(news_.size() + adds_.size());
    for (auto& [k, p] : news_) keys.push_back(k);
    for (auto& [k, a] : adds_) keys.push_back(k);
    std::string dup;
    uint64_t dupRec = 0;
    Status st = kv_.txn([&](KvTxn& tx) -> Status {
      dup.clear();
      ASSIGN_OR_RETURN(auto vals, tx.gets(keys));
      size_t i = 0;
      for (auto& [k, p] : news_) {
        if (vals[i++]) {
          dup = k;
          dupRec = p.rec;
          return Status::Error(EEXIST, "duplicate");
        }
        tx.put(k, p.value);
      }
      for (auto& [k, a] : adds_) {
        const auto& old = vals[i++];
        const bool parent = keys::ParentOf(k).has_value();
        int64_t n = a.first + (old && old->size() >= 8 ? static_cast<int64_t>(GetBE64(*old)) : 0);
        if (parent) tx.put(k, ParentValue(n, old && old->size() >= 16 ? GetBE64(*old, 8) : a.second));
        else tx.put(k, EncodeCounter(n));
      }
      return Status::OK();
    });
    if (!dup.empty()) return Status::Invalid("record " + std::to_string(dupRec) + ": " + Describe(dup));
    if (!st.ok()) return st;
    news_.clear();
    adds_.clear();
    batchBytes_ = 0;
    return Status::OK();
  }

  // ---- verification -------------------------------------------------
  struct Group {
    Ino ino = 0;
    std::optional<Attr> attr;
    bool chunks = false, entries = false, extras = false;  // extras: S or X keys
    uint32_t subdirs = 0;
    int64_t links = 0;
    uint64_t parentKeys = 0;
    std::optional<std::pair<std::string, Ino>> firstParent;  // key, parent of a single-link candidate
    std::vector<std::pair<Ino, int64_t>> parents;  // (directory, links in it), for the dir stats
    uint64_t firstRec = 0;
  };

  struct EntryCheck {
    Ino dir, child;
    FileType type;
    std::string name;
  };

  Status Verify() {
    // Page by page, each read on its own: the fix-ups written meanwhile
    // only touch keys of inodes already passed.
    RETURN_IF_ERROR(ScanPrefixOutside(kv_, keys::InodeAll(), kPage, [&](std::vector<KeyValue>& page) -> Status {
      for (auto& kv : page) RETURN_IF_ERROR(VerifyKey(kv));
      return pendingFlush_ ? FlushWrites() : Status::OK();
    }));
    RETURN_IF_ERROR(EndGroup());
    RETURN_IF_ERROR(CheckEntries());
    if (!sawRoot_) return Status::Invalid("the dump has no root directory (inode 1)");
    return FlushWrites();
  }

  Status VerifyKey(const KeyValue& kv) {
    const std::string& k = kv.key;
    auto ik = keys::ParseInodeKey(k);
    if (!ik) return Status::OK();
    const Ino ino = ik->ino;
    if (ino != g_.ino) {
      RETURN_IF_ERROR(EndGroup());
      g_ = Group{};
      g_.ino = ino;
    }
    switch (ik->kind) {
      case 'C': g_.chunks = true; break;
      case 'D': {
        g_.entries = true;
        auto e = DecodeEntry(kv.value);
        if (!e) return e.error();
        if (e->type == FileType::kDir) g_.subdirs++;
        checks_.push_back({ino, e->ino, e->type, std::string(keys::EntryName(k).value_or(""))});
        if (checks_.size() >= kPage) RETURN_IF_ERROR(CheckEntries());
        break;
      }
      case 'I': {
        auto a = DecodeAttr(kv.value);
        if (!a) return a.error();
        g_.attr = *a;
        break;
      }
      case 'P': {
        auto p = keys::ParentOf(k);
        if (!p || kv.value.size() != 16) break;
        int64_t n = static_cast<int64_t>(GetBE64(kv.value));
        uint64_t rec = GetBE64(kv.value, 8);
        if (!g_.firstRec) g_.firstRec = rec;
        g_.links += n;
        g_.parents.emplace_back(*p, n);
        g_.parentKeys++;
        if (g_.parentKeys == 1 && n == 1) {
          g_.firstParent = std::make_pair(k, *p);  // may become the attr's parent
        } else {
          if (g_.firstParent) {
            Write(g_.firstParent->first, EncodeCounter(1));
            g_.firstParent.reset();
          }
          Write(k, EncodeCounter(n));
        }
        break;
      }
      default: g_.extras = true; break;
    }
    return Status::OK();
  }

  Status EndGroup() {
    Group& g = g_;
    if (g.ino == 0) return Status::OK();
    const std::string ino = std::to_string(g.ino);
    if (!g.attr) {
      if (g.parentKeys)
        return Status::Invalid("record " + std::to_string(g.firstRec) + ": an entry names inode " + ino +
                               ", which the dump does not contain");
      if (g.entries) return Status::Invalid("the dump has entries of directory " + ino + " but not the directory");
      if (g.extras) return Status::Invalid("the dump has xattrs or a symlink target of inode " + ino + " but not the inode");
      if (g.chunks) {  // allowed for files whose deletion is pending
        bool pending = false;
        const std::string dp = keys::DeletedPrefix(g.ino);
        RETURN_IF_ERROR(kv_.readOnly([&](KvTxn& tx) -> Status {
          ASSIGN_OR_RETURN(auto d, tx.scan(dp, PrefixEnd(dp), 1));
          pending = !d.empty();
          return Status::OK();
        }));
        if (!pending) return Status::Invalid("the dump has chunks of inode " + ino + " but not the inode");
      }
      return Status::OK();
    }
    Attr a = *g.attr;
    const Attr before = a;
    const bool special = g.ino == kRootIno || g.ino == kTrashIno;
    if (g.ino == kRootIno) sawRoot_ = true;
    if (g.entries && a.type != FileType::kDir) return Status::Invalid("inode " + ino + " has entries but is not a directory");
    if (g.chunks && a.type != FileType::kFile) return Status::Invalid("inode " + ino + " has chunks but is not a regular file");
    if (special) {
      if (g.parentKeys)
        return Status::Invalid("record " + std::to_string(g.firstRec) + ": an entry names the " +
                               (g.ino == kRootIno ? "root" : "trash") + " directory");
      a.parent = kRootIno;
    } else if (a.type == FileType::kDir) {
      if (g.links != 1 || !g.firstParent) {
        if (g.links == 0) return Status::Invalid("directory " + ino + " is not in any directory");
        return Status::Invalid("record " + std::to_string(g.firstRec) + ": directory " + ino + " has " +
                               std::to_string(g.links) + " names (a directory has exactly one)");
      }
    } else if (g.links == 0) {
      return Status::Invalid("inode " + ino + " is not in any directory (an orphan: dump taken while files changed?)");
    }
    if (!special && g.links == 1 && g.firstParent) {
      a.parent = g.firstParent->second;
      Write(g.firstParent->first, std::nullopt);
    } else if (!special) {
      a.parent = 0;  // several links: the parent records hold them
      if (g.firstParent) Write(g.firstParent->first, EncodeCounter(1));
    }
    if (a.type == FileType::kDir) {
      a.nlink = 2 + g.subdirs;
      dirs_++;
    } else {
      a.nlink = static_cast<uint32_t>(g.links);
      if (a.type == FileType::kFile) files_++;
    }
    if (!special) {
      totalInodes_++;
      usedSpace_ += MetaImpl::SpaceOf(a);
      // Per-directory stats (dir_stats.h): each link charges its directory.
      for (auto& [p, n] : g.parents) dirStats_[p] += MetaImpl::StatOf(a).Times(n);
      if (dirStats_.size() >= kMaxDirStats) RETURN_IF_ERROR(FlushDirStats());
    }
    if (!(a == before)) Write(keys::Attr(g.ino), EncodeAttr(a));
    return Status::OK();
  }

  // Every queued entry must name an existing inode of the entry's type.
  Status CheckEntries() {
    if (checks_.empty()) return Status::OK();
    std::vector<std::string> ks;
    for (const auto& c : checks_) {
      ks.push_back(keys::Attr(c.child));
      ks.push_back(keys::Parent(c.child, c.dir));
    }
    std::vector<std::optional<std::string>> vals;
    RETURN_IF_ERROR(kv_.readOnly([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(vals, tx.gets(ks));
      return Status::OK();
    }));
    for (size_t i = 0; i < checks_.size(); i++) {
      const auto& c = checks_[i];
      const auto& pv = vals[2 * i + 1];
      std::string where = pv && pv->size() == 16 ? "record " + std::to_string(GetBE64(*pv, 8)) + ": " : "";
      const std::string what = "the entry '" + c.name + "' of directory " + std::to_string(c.dir);
      if (!vals[2 * i]) return Status::Invalid(where + what + " names inode " + std::to_string(c.child) + ", which the dump does not contain");
      auto a = DecodeAttr(*vals[2 * i]);
      if (!a) return a.error();
      if (a->type != c.type)
        return Status::Invalid(where + what + " says " + TypeName(c.type) + " but inode " + std::to_string(c.child) +
                               " is a " + TypeName(a->type));
    }
    checks_.clear();
    return Status::OK();
  }

  void Write(const std::string& k, std::optional<std::string> v) {
    writes_[k] = std::move(v);
    if (writes_.size() >= kBatchOps) pendingFlush_ = true;
  }

  Status FlushWrites() {
    pendingFlush_ = false;
    if (writes_.empty()) return Status::OK();
    RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
      for (auto& [k, v] : writes_) {
        if (v) tx.put(k, *v);
        else tx.del(k);
      }
      return Status::OK();
    }));
    writes_.clear();
    return Status::OK();
  }

  // Adds the accumulated per-directory stats to the U keys (bounded memory:
  // called whenever kMaxDirStats directories are pending, and at the end).
  Status FlushDirStats() {
    std::vector<std::pair<Ino, DirStat>> all(dirStats_.begin(), dirStats_.end());
    dirStats_.clear();
    for (size_t i = 0; i < all.size(); i += kPage) {
      RETURN_IF_ERROR(kv_.txn([&](KvTxn& tx) -> Status {
        for (size_t j = i; j < std::min(all.size(), i + kPage); j++) {
          const std::string k = keys::DirStat(all[j].first);
          ASSIGN_OR_RETURN(auto v, tx.get(k));
          DirStat s = v ? DecodeDirStat(*v) : DirStat{};
          s += all[j].second;
          if (s.zero()) {
            tx.del(k);
          } else {
            tx.put(k, EncodeDirStat(s));
          }
        }
        return Status::OK();
      }));
    }
    return Status::OK();
  }

  // The ACL xattrs of an inode record become shared rules (written by
  // WriteVolume) and rule ids in its attributes.
  Status TakeAcls(InodeRec& r) {
    std::vector<Xattr> rest;
    for (auto& x : r.xattrs) {
      if (!acl::IsAclXattr(x.name)) {
        rest.push_back(std::move(x));
        continue;
      }
      auto full = acl::ParseXattr(x.value);
      if (!full) return Here(x.name + " of inode " + std::to_string(r.ino) + ": " + full.error().message());
      if (x.name == acl::kAccessXattr) {
        r.attr.mode = (r.attr.mode & 07000) | full->ModeBits();
        if (!full->Minimal()) r.attr.accessAcl = InternRule(acl::StoredAccess(*full));
      } else {
        if (r.attr.type != FileType::kDir) return Here("a default ACL on inode " + std::to_string(r.ino) + ", which is not a directory");
        r.attr.defaultAcl = InternRule(*full);
      }
    }
    r.xattrs = std::move(rest);
    return Status::OK();
  }
  uint32_t InternRule(const acl::Acl& rule) {
    auto [it, fresh] = acls_.try_emplace(acl::EncodeRule(rule), static_cast<uint32_t>(acls_.size() + 1), 0);
    it->second.second++;
    return it->second.first;
  }

  Status WriteVolume() {
    auto counter = [&](const char* n) { auto it = counters_.find(n); return it == counters_.end() ? 0 : it->second; };
    const int64_t nextInode = std::max<int64_t>({counter(keys::kNextInode), static_cast<int64_t>(maxIno_) + 1, 2});
    const int64_t nextChunk = std::max<int64_t>({counter(keys::kNextChunk), static_cast<int64_t>(maxSlice_) + 1, 1});
    const int64_t nextSession = std::max<int64_t>(counter(keys::kNextSession), 0);
    return kv_.txn([&](KvTxn& tx) -> Status {
      ASSIGN_OR_RETURN(auto trash, tx.get(keys::Attr(kTrashIno)));
      if (!trash) {
        Attr t;
        t.type = FileType::kDir;
        t.mode = 0555;
        t.nlink = 2;
        t.length = 4096;
        t.atimeNs = t.mtimeNs = t.ctimeNs = MetaImpl::NowNs();
        t.parent = kRootIno;
        tx.put(keys::Attr(kTrashIno), EncodeAttr(t));
      }
      tx.put(keys::Counter(keys::kNextInode), EncodeCounter(nextInode));
      tx.put(keys::Counter(keys::kNextChunk), EncodeCounter(nextChunk));
      tx.put(keys::Counter(keys::kNextSession), EncodeCounter(nextSession));
      if (!acls_.empty()) {
        std::map<uint64_t, std::string> byHash;
        for (const auto& [enc, idRefs] : acls_) {
          tx.put(keys::AclRule(idRefs.first), enc);
          tx.put(keys::AclRefs(idRefs.first), EncodeCounter(idRefs.second));
          PutBE32(byHash[acl::RuleHash(enc)], idRefs.first);
        }
        for (const auto& [h, ids] : byHash) tx.put(keys::AclHash(h), ids);
        tx.put(keys::Counter(keys::kNextAcl), EncodeCounter(static_cast<int64_t>(acls_.size())));
      }
      tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(usedSpace_));
      tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(totalInodes_));
      tx.put(keys::Setting(), setting_);
      return Status::OK();
    });
  }

  KvStore& kv_;
  const LoadOptions& opts_;
  bool haveHeader_ = false;
  std::string setting_;
  std::map<std::string, int64_t> counters_;
  std::map<std::string, std::pair<uint32_t, int64_t>> acls_;  // encoded rule -> (id, references)
  Ino root_ = kRootIno;
  uint64_t rec_ = 0, bytes_ = 0, inodes_ = 0;
  Ino maxIno_ = 0;
  uint64_t maxSlice_ = 0;
  // The current batch.
  std::map<std::string, Pending> news_;
  std::map<std::string, std::pair<int64_t, uint64_t>> adds_;
  size_t batchBytes_ = 0;
  // Verification.
  Group g_;
  std::vector<EntryCheck> checks_;
  std::map<std::string, std::optional<std::string>> writes_;
  bool pendingFlush_ = false;
  bool sawRoot_ = false;
  uint64_t files_ = 0, dirs_ = 0, totalInodes_ = 0;
  int64_t usedSpace_ = 0;
  static constexpr size_t kMaxDirStats = 100000;
  std::unordered_map<Ino, DirStat> dirStats_;
};

}  // namespace

Result<LoadStats> LoadVolume(KvStore& kv, ByteSource& in, const LoadOptions& opts) {
  bool empty = false;
  META_TRY(kv.readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto any, tx.scan("", "", 1));
    empty = any.empty();
    return Status::OK();
  }));
  if (!empty) return Err(EEXIST, "the " + kv.name() + " database is not empty; load needs an empty one (nothing was changed)");
  Loader loader(kv, opts);
  std::string source;
  std::vector<std::string> warnings;
  Status st = dump::ReadDocument(in, loader, &source, loader.position(), &warnings);
  Result<LoadStats> r = st.ok() ? loader.Finish(source) : Err(st);
  if (r) r->warnings = std::move(warnings);
  if (!r) {
    Status drop = kv.dropAll();
    if (!drop.ok()) spdlog::error("load: removing the partly loaded keys failed: {}", drop.ToString());
    return r;
  }
  if (opts.progress) opts.progress(r->totals);
  return r;
}

}  // namespace slicefs
