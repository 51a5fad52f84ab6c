// DumpVolume: walks the key space (or a subtree) in one readStream pass and
// writes the dump document (docs/formats.md, "Metadata dump").
#include <ctime>
#include <map>
#include <unordered_set>

#include "common/encoding.h"
#include "meta/acl.h"
#include "meta/attr_codec.h"
#include "meta/dump.h"
#include "meta/dir_stats.h"
#include "meta/dump_records.h"
#include "common/volume_format.h"
#include "meta/keys.h"
#include "meta/slice_codec.h"
#include "kv/scan.h"

namespace slicefs {

namespace {

using dump::json;

constexpr size_t kPage = 1000;
constexpr size_t kOutBuffer = 256 << 10;
constexpr uint64_t kProgressEvery = 4096;

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Buffers the document text and counts records.
class DocWriter {
 public:
  DocWriter(ByteSink& out, const DumpProgressFn& progress) : out_(out), progress_(progress) {}

  Status Raw(std::string_view s) {
    buf_.append(s);
    p_.bytes += s.size();
    if (buf_.size() >= kOutBuffer) return Flush();
    return Status::OK();
  }
  Status Record(const json& j, bool inode) {
    if (p_.records) RETURN_IF_ERROR(Raw(",\n"));
    RETURN_IF_ERROR(Raw(j.dump(-1, ' ', false, json::error_handler_t::replace)));
    p_.records++;
    if (inode) p_.inodes++;
    if (progress_ && p_.records % kProgressEvery == 0) progress_(p_);
    return Status::OK();
  }
  Status Flush() {
    if (buf_.empty()) return Status::OK();
    Status st = out_.Write(buf_);
    buf_.clear();
    return st;
  }
  const DumpProgress& progress() const { return p_; }

 private:
  ByteSink& out_;
  const DumpProgressFn& progress_;
  std::string buf_;
  DumpProgress p_;
};

Status Corrupt(const std::string& key, const Status& st) {
  return Status::IOError("dump: undecodable value under key " + HexEncode(key) + ": " + st.message());
}

// The volume's ACL rules by id, read once per dump (few: inodes share them).
using AclRules = std::map<uint32_t, acl::Acl>;

Result<AclRules> ReadAclRules(KvTxn& tx) {
  AclRules rules;
  RETURN_IF_ERROR(ScanPrefix(tx, keys::AclRuleAll(), kPage, [&](const KeyValue& kv) -> Status {
    auto id = keys::AclIdOf(kv.key);
    if (!id) return Status::OK();
    auto r = acl::DecodeRule(kv.value);
    if (!r) return Corrupt(kv.key, r.error());
    rules[*id] = std::move(*r);
    return Status::OK();
  }));
  return rules;
}

// An inode's ACLs as the xattrs a Linux filesystem shows (the load turns
// them back into rules).
Status AclXattrs(const AclRules& rules, Ino ino, const Attr& a, std::vector<dump::Xattr>& out) {
  for (auto [id, name] : {std::pair{a.accessAcl, acl::kAccessXattr}, std::pair{a.defaultAcl, acl::kDefaultXattr}}) {
    if (id == 0) continue;
    auto it = rules.find(id);
    if (it == rules.end())
      return Status::IOError("dump: inode " + std::to_string(ino) + " refers to ACL rule " + std::to_string(id) +
                             ", which does not exist (run fsck)");
    const acl::Acl& r = it->second;
    out.push_back({name, acl::ToXattr(name == acl::kAccessXattr ? acl::AccessWithMode(r, a.mode) : r)});
  }
  return Status::OK();
}

// Whole-volume walk over the A range: the keys of one inode are adjacent
// (C chunks, D entries, I attributes, P parents, S symlink, X xattrs, in
// that order), so one inode is assembled at a time.
class VolumeWalker {
 public:
  VolumeWalker(DocWriter& w, const AclRules& rules) : w_(w), rules_(rules) {}

  Status Key(const KeyValue& kv) {
    const std::string& k = kv.key;
    auto ik = keys::ParseInodeKey(k);
    if (!ik) return Status::OK();
    const Ino ino = ik->ino;
    if (ino != cur_) {
      RETURN_IF_ERROR(EndInode());
      cur_ = ino;
    }
    switch (ik->kind) {
      case 'C': {
        auto idx = keys::ChunkIndex(k);
        if (!idx) return Status::OK();
        auto recs = DecodeSliceRecords(kv.value);
        if (!recs) return Corrupt(k, recs.error());
        if (recs->empty()) return Status::OK();
        return w_.Record(dump::ChunkToJson({ino, *idx, std::move(*recs)}), false);
      }
      case 'D': {
        auto name = keys::EntryName(k);
        auto e = DecodeEntry(kv.value);
        if (!name || !e) return Corrupt(k, e ? Status::IOError("bad entry key") : e.error());
        entries_.dir = ino;
        entries_.list.push_back({std::string(*name), e->ino, e->type});
        if (entries_.list.size() >= dump::kMaxListPerRecord) return FlushEntries();
        return Status::OK();
      }
      case 'I': {
        if (k != keys::Attr(ino)) return Status::OK();
        auto a = DecodeAttr(kv.value);
        if (!a) return Corrupt(k, a.error());
        inode_ = dump::InodeRec{ino, *a, std::nullopt, {}};
        return AclXattrs(rules_, ino, *a, inode_->xattrs);
      }
      case 'S':
        if (inode_ && k == keys::Symlink(ino)) inode_->symlink = kv.value;
        return Status::OK();
      case 'X': {
        auto name = keys::XattrName(k);
        if (!name || acl::IsAclXattr(*name)) return Status::OK();  // ACLs: from the rules
        auto& list = inode_ ? inode_->xattrs : xattrs_.list;
        list.push_back({std::string(*name), kv.value});
        if (list.size() >= dump::kMaxListPerRecord) {
          if (inode_) RETURN_IF_ERROR(FlushInode());
          else return FlushXattrs();
        }
        return Status::OK();
      }
      default:
        return Status::OK();  // P: recomputed by load
    }
  }

  Status EndInode() {
    RETURN_IF_ERROR(FlushEntries());
    RETURN_IF_ERROR(FlushInode());
    return FlushXattrs();
  }

 private:
  Status FlushEntries() {
    if (entries_.list.empty()) return Status::OK();
    Status st = w_.Record(dump::EntriesToJson(entries_), false);
    entries_.list.clear();
    return st;
  }
  // Emits the inode; xattrs seen after this go into xattrs records.
  Status FlushInode() {
    if (!inode_) return Status::OK();
    Status st = w_.Record(dump::InodeToJson(*inode_), true);
    xattrs_.ino = inode_->ino;
    inode_.reset();
    return st;
  }
  Status FlushXattrs() {
    if (xattrs_.list.empty()) return Status::OK();
    xattrs_.ino = cur_;
    Status st = w_.Record(dump::XattrsToJson(xattrs_), false);
    xattrs_.list.clear();
    return st;
  }

  DocWriter& w_;
  const AclRules& rules_;
  Ino cur_ = 0;
  std::optional<dump::InodeRec> inode_;
  dump::EntriesRec entries_;
  dump::XattrsRec xattrs_;
};

// Emits everything stored under one inode (not its entries): attributes,
// symlink, xattrs and chunks, in records of bounded size.
Status EmitInode(KvTxn& tx, DocWriter& w, const AclRules& rules, Ino ino, const Attr& a) {
  dump::InodeRec r{ino, a, std::nullopt, {}};
  RETURN_IF_ERROR(AclXattrs(rules, ino, a, r.xattrs));
  if (a.type == FileType::kSymlink) {
    ASSIGN_OR_RETURN(auto t, tx.get(keys::Symlink(ino)));
    r.symlink = t.value_or("");
  }
  bool emitted = false;
  dump::XattrsRec more{ino, {}};
  RETURN_IF_ERROR(ScanPrefix(tx, keys::XattrPrefix(ino), kPage, [&](const KeyValue& kv) -> Status {
    auto name = keys::XattrName(kv.key);
    if (!name || acl::IsAclXattr(*name)) return Status::OK();
    auto& list = emitted ? more.list : r.xattrs;
    list.push_back({std::string(*name), kv.value});
    if (list.size() < dump::kMaxListPerRecord) return Status::OK();
    if (!emitted) {
      emitted = true;
      return w.Record(dump::InodeToJson(r), true);
    }
    Status st = w.Record(dump::XattrsToJson(more), false);
    more.list.clear();
    return st;
  }));
  if (!emitted) RETURN_IF_ERROR(w.Record(dump::InodeToJson(r), true));
  if (!more.list.empty()) RETURN_IF_ERROR(w.Record(dump::XattrsToJson(more), false));
  if (a.type != FileType::kFile) return Status::OK();
  return ScanPrefix(tx, keys::ChunkPrefix(ino), kPage, [&](const KeyValue& kv) -> Status {
    auto idx = keys::ChunkIndex(kv.key);
    if (!idx) return Status::OK();
    auto recs = DecodeSliceRecords(kv.value);
    if (!recs) return Corrupt(kv.key, recs.error());
    if (recs->empty()) return Status::OK();
    return w.Record(dump::ChunkToJson({ino, *idx, std::move(*recs)}), false);
  });
}

Result<Attr> MustAttr(KvTxn& tx, Ino ino) {
  ASSIGN_OR_RETURN(auto v, tx.get(keys::Attr(ino)));
  if (!v) return Err(EIO, "dump: inode " + std::to_string(ino) + " has an entry but no attributes");
  return DecodeAttr(*v);
}

// Subtree walk, depth first. Memory: one page of subdirectories per level
// of depth, plus the hard-linked inodes already written (so that each
// appears once).
Status WalkSubtree(KvTxn& tx, DocWriter& w, const AclRules& rules, Ino top) {
  struct Frame {
    Ino dir;
    std::string after;  // last entry name handled
    bool done = false;
    std::vector<Ino> dirs;  // subdirectories of the current page, not yet visited
  };
  std::unordered_set<Ino> linked;
  ASSIGN_OR_RETURN(Attr ta, MustAttr(tx, top));
  RETURN_IF_ERROR(EmitInode(tx, w, rules, top, ta));
  std::vector<Frame> stack;
  stack.push_back({top, "", false, {}});
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (!f.dirs.empty()) {
      Ino d = f.dirs.back();
      f.dirs.pop_back();
      ASSIGN_OR_RETURN(Attr da, MustAttr(tx, d));
      RETURN_IF_ERROR(EmitInode(tx, w, rules, d, da));
      stack.push_back({d, "", false, {}});
      continue;
    }
    if (f.done) {
      stack.pop_back();
      continue;
    }
    const std::string prefix = keys::EntryPrefix(f.dir);
    std::string begin = f.after.empty() ? prefix : keys::Entry(f.dir, f.after) + '\0';
    ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, PrefixEnd(prefix), kPage));
    if (kvs.size() < kPage) f.done = true;
    if (kvs.empty()) continue;
    dump::EntriesRec er{f.dir, {}};
    Ino dir = f.dir;
    std::vector<Ino> dirs;
    for (const auto& kv : kvs) {
      auto name = keys::EntryName(kv.key);
      auto e = DecodeEntry(kv.value);
      if (!name || !e) return Corrupt(kv.key, e ? Status::IOError("bad entry key") : e.error());
      er.list.push_back({std::string(*name), e->ino, e->type});
    }
    stack.back().after = er.list.back().name;
    RETURN_IF_ERROR(w.Record(dump::EntriesToJson(er), false));
    for (const auto& e : er.list) {
      if (e.type == FileType::kDir) {
        dirs.push_back(e.ino);
        continue;
      }
      ASSIGN_OR_RETURN(Attr a, MustAttr(tx, e.ino));
      if (a.nlink > 1 && !linked.insert(e.ino).second) continue;
      RETURN_IF_ERROR(EmitInode(tx, w, rules, e.ino, a));
    }
    (void)dir;
    std::reverse(dirs.begin(), dirs.end());
    stack.back().dirs = std::move(dirs);
  }
  return Status::OK();
}

Result<Ino> ResolveSubdir(KvTxn& tx, const std::string& path) {
  Ino cur = kRootIno;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string name = path.substr(i, j - i);
    i = j + 1;
    if (name.empty() || name == ".") continue;
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Entry(cur, name)));
    if (!v) return Err(ENOENT, "dump: --subdir '" + path + "': '" + name + "' does not exist");
    ASSIGN_OR_RETURN(auto e, DecodeEntry(*v));
    if (e.type != FileType::kDir) return Err(ENOTDIR, "dump: --subdir '" + path + "': '" + name + "' is not a directory");
    cur = e.ino;
  }
  return cur;
}

}  // namespace

Result<DumpStats> DumpVolume(KvStore& kv, ByteSink& out, const DumpOptions& opts) {
  DocWriter w(out, opts.progress);
  bool started = false;
  Status st = kv.readStream([&](KvTxn& tx) -> Status {
    if (started) return Status::IOError("dump: the engine failed during the dump; run it again");
    started = true;
    ASSIGN_OR_RETURN(auto setting, tx.get(keys::Setting()));
    if (!setting) return Status::NotFound("volume not formatted");
    if (auto f = VolumeFormat::FromJson(*setting); !f) return f.error();
    json fmt = json::parse(*setting, nullptr, false);
    if (!opts.keepSecrets) {
      for (std::string_view f : kFormatSecretFields) {
        auto it = fmt.find(f);
        if (it != fmt.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) *it = "removed";
      }
    }
    Ino root = kRootIno;
    const bool sub = !opts.subdir.empty() && opts.subdir != "/";
    if (sub) {
      ASSIGN_OR_RETURN(root, ResolveSubdir(tx, opts.subdir));
    }
    json counters = json::object();
    RETURN_IF_ERROR(ScanPrefix(tx, keys::CounterAll(), kPage, [&](const KeyValue& c) -> Status {
      if (auto name = keys::CounterName(c.key)) counters[std::string(*name)] = DecodeCounter(c.value);
      return Status::OK();
    }));
    json header{{"version", dump::kDumpVersion},
                {"created", UtcNow()},
                {"engine", kv.name()},
                {"snapshot", kv.streamIsSnapshot()},
                {"subdir", sub ? opts.subdir : "/"},
                {"root", root},
                {"secrets", opts.keepSecrets ? "kept" : "removed"},
                {"format", fmt},
                {"counters", counters}};
    RETURN_IF_ERROR(w.Raw("{\"slicefs-dump\":1,\n\"header\":"));
    RETURN_IF_ERROR(w.Raw(header.dump(-1, ' ', false, json::error_handler_t::replace)));
    RETURN_IF_ERROR(w.Raw(",\n\"records\":[\n"));
    ASSIGN_OR_RETURN(AclRules rules, ReadAclRules(tx));
    if (sub) {
      RETURN_IF_ERROR(WalkSubtree(tx, w, rules, root));
    } else {
      VolumeWalker walker(w, rules);
      RETURN_IF_ERROR(ScanPrefix(tx, keys::InodeAll(), kPage, [&](const KeyValue& k) { return walker.Key(k); }));
      RETURN_IF_ERROR(walker.EndInode());
      RETURN_IF_ERROR(ScanPrefix(tx, keys::DeletedAll(), kPage, [&](const KeyValue& d) -> Status {
        auto dk = keys::ParseDeleted(d.key);
        if (!dk) return Status::OK();
        int64_t t = d.value.size() >= 8 ? static_cast<int64_t>(GetBE64(d.value)) : 0;
        return w.Record(dump::DeletedToJson({dk->ino, dk->length, t}), false);
      }));
      // Directory quotas; per-directory stats are recomputed by load.
      RETURN_IF_ERROR(ScanPrefix(tx, keys::QuotaAll(), kPage, [&](const KeyValue& q) -> Status {
        auto ino = keys::QuotaIno(q.key);
        if (!ino) return Status::OK();
        auto v = DecodeQuota(q.value);
        if (!v) return Corrupt(q.key, v.error());
        return w.Record(dump::QuotaToJson({*ino, v->maxSpace, v->maxInodes, v->usedSpace, v->usedInodes}), false);
      }));
    }
    json summary{{"records", w.progress().records}, {"inodes", w.progress().inodes}};
    RETURN_IF_ERROR(w.Raw("\n],\n\"summary\":"));
    RETURN_IF_ERROR(w.Raw(summary.dump()));
    RETURN_IF_ERROR(w.Raw("}\n"));
    return w.Flush();
  });
  if (!st.ok()) return Err(st);
  if (opts.progress) opts.progress(w.progress());
  return DumpStats{w.progress(), kv.streamIsSnapshot()};
}

}  // namespace slicefs
