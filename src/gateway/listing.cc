#include "gateway/listing.h"

#include <optional>
#include <set>

namespace slicefs::gateway {

namespace {

constexpr size_t kPage = 256;

class Lister {
 public:
  Lister(S3Fs& s3, const ListParams& p, ListOutput* out, bool atVolumeRoot)
      : s3_(s3), fs_(s3.fs()), p_(p), out_(out), slashDelim_(p.delimiter == "/"), volumeRoot_(atVolumeRoot) {}

  // Lists dirPath, whose keys start with keyPrefix; at the base level only
  // names starting with namePrefix. afterRel: exclusive bound relative to
  // keyPrefix. *sawAny: some visible entry exists. Returns false to stop.
  bool Visit(const std::string& dirPath, const std::string& keyPrefix, std::string_view namePrefix,
             std::optional<std::string> afterRel, bool* sawAny);
  // The prefix names an empty directory: its folder object is the listing.
  void EmitBaseFolder(const std::string& key, const Attr& a) {
    if (key > p_.after) EmitFolder(key, a);
  }

 private:
  bool Hidden(const std::string& dirPath, std::string_view name) const {
    return name.starts_with(kHiddenPrefix) || (volumeRoot_ && dirPath == "/" && name == ".trash");
  }
  static std::string Join(const std::string& dir, std::string_view name) {
    return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
  }
  bool EmitDir(const std::string& dirPath, const std::string& keyPrefix, const std::string& name);
  bool EmitFile(const std::string& path, const std::string& key, Ino ino, const Attr& a);
  bool EmitFolder(const std::string& key, const Attr& a);
  // Counts one result; false when max-keys is reached (truncated).
  bool Room();
  bool EmitPrefix(const std::string& cp);
  // Non-'/' delimiters: folds key into a common prefix; true if folded.
  bool Fold(const std::string& key, bool* keepGoing);

  S3Fs& s3_;
  PathFs& fs_;
  const ListParams& p_;
  ListOutput* out_;
  bool slashDelim_;
  bool volumeRoot_;
  std::string lastCp_;
};

bool Lister::Room() {
  if (out_->objects.size() + out_->prefixes.size() >= p_.maxKeys) {
    out_->truncated = true;
    return false;
  }
  return true;
}

bool Lister::EmitPrefix(const std::string& cp) {
  if (cp == lastCp_ || cp <= p_.after) return true;
  if (!Room()) return false;
  out_->prefixes.push_back(cp);
  out_->last = cp;
  lastCp_ = cp;
  return true;
}

bool Lister::Fold(const std::string& key, bool* keepGoing) {
  if (p_.delimiter.empty() || slashDelim_) return false;
  size_t idx = key.find(p_.delimiter, p_.prefix.size());
  if (idx == std::string::npos) return false;
  *keepGoing = EmitPrefix(key.substr(0, idx + p_.delimiter.size()));
  return true;
}

bool Lister::EmitFile(const std::string& path, const std::string& key, Ino ino, const Attr& a) {
  bool keepGoing = true;
  if (Fold(key, &keepGoing)) return keepGoing;
  if (!Room()) return false;
  ObjectInfo o;
  o.key = key;
  o.size = a.length;
  o.mtimeNs = a.mtimeNs;
  o.ino = ino;
  o.etag = s3_.EtagOf(path, a, ino, false);
  out_->objects.push_back(std::move(o));
  out_->last = key;
  return true;
}

bool Lister::EmitFolder(const std::string& key, const Attr& a) {
  bool keepGoing = true;
  if (Fold(key, &keepGoing)) return keepGoing;
  if (!Room()) return false;
  ObjectInfo o;
  o.key = key;
  o.dir = true;
  o.mtimeNs = a.mtimeNs;
  o.etag = "d41d8cd98f00b204e9800998ecf8427e";
  out_->objects.push_back(std::move(o));
  out_->last = key;
  return true;
}

bool Lister::EmitDir(const std::string& dirPath, const std::string& keyPrefix, const std::string& name) {
  const std::string key = keyPrefix + name + "/";
  if (slashDelim_) return EmitPrefix(key);
  const std::string child = Join(dirPath, name);
  bool saw = false;
  if (!Visit(child, key, "", std::nullopt, &saw)) return false;
  if (!saw) {
    auto a = fs_.Stat(child);
    if (a && a->type == FileType::kDir) return EmitFolder(key, *a);
  }
  return true;
}

bool Lister::Visit(const std::string& dirPath, const std::string& keyPrefix, std::string_view namePrefix,
                   std::optional<std::string> afterRel, bool* sawAny) {
  std::string lower;
  bool inclusive = false;
  if (afterRel && !afterRel->empty()) {
    size_t slash = afterRel->find('/');
    if (slash != std::string::npos) {
      std::string first = afterRel->substr(0, slash);
      if (!slashDelim_ && first.starts_with(namePrefix) && !Hidden(dirPath, first)) {
        auto a = fs_.Lstat(Join(dirPath, first));
        if (a && a->type == FileType::kDir) {
          *sawAny = true;
          bool saw = false;
          if (!Visit(Join(dirPath, first), keyPrefix + first + "/", "", afterRel->substr(slash + 1), &saw))
            return false;
        }
      }
      lower = first + "/";
    } else {
      lower = *afterRel;
    }
    if (!namePrefix.empty() && lower < namePrefix) {
      lower = namePrefix;
      inclusive = true;
    }
  } else if (!namePrefix.empty()) {
    lower = namePrefix;
    inclusive = true;
  }

  std::set<std::string> pending;  // directory names + "/", in key order
  auto candidate = [&](const std::string& name, bool allowFile) -> bool {
    if (name.empty() || name.find('/') != std::string::npos || Hidden(dirPath, name) ||
        !name.starts_with(namePrefix))
      return true;
    auto en = fs_.Resolve(Join(dirPath, name), false);
    if (!en) return true;
    if (en->attr.type == FileType::kDir) {
      if (name + "/" > lower || inclusive) pending.insert(name + "/");
    } else if (allowFile && en->attr.type == FileType::kFile) {
      *sawAny = true;
      return EmitFile(Join(dirPath, name), keyPrefix + name, en->ino, en->attr);
    }
    return true;
  };
  if (!lower.empty()) {
    if (inclusive) {
      if (!candidate(lower, true)) return false;
    } else {
      if (!candidate(lower, false)) return false;
      for (size_t i = lower.size(); i-- > 1;)
        if (static_cast<unsigned char>(lower[i]) < '/') {
          if (!candidate(lower.substr(0, i), false)) return false;
        }
    }
  }
  auto flushBelow = [&](std::string_view bound, bool all) -> bool {
    while (!pending.empty() && (all || *pending.begin() < bound)) {
      std::string n = *pending.begin();
      pending.erase(pending.begin());
      n.pop_back();
      *sawAny = true;
      if (!EmitDir(dirPath, keyPrefix, n)) return false;
    }
    return true;
  };

  std::string after = lower;
  bool end = false;
  while (!end) {
    auto page = fs_.List(dirPath, after, kPage, true);
    if (!page) break;  // vanished meanwhile: nothing more here
    if (page->empty()) break;
    after = page->back().name;
    for (const auto& e : *page) {
      if (Hidden(dirPath, e.name)) continue;
      if (!namePrefix.empty() && !e.name.starts_with(namePrefix)) {
        if (e.name > namePrefix) {
          end = true;
          break;
        }
        continue;
      }
      if (e.type != FileType::kFile && e.type != FileType::kDir) continue;
      if (!flushBelow(e.name, false)) return false;
      if (e.type == FileType::kDir) {
        pending.insert(e.name + "/");
        continue;
      }
      *sawAny = true;
      Attr a = e.attr ? *e.attr : Attr{};
      if (!EmitFile(Join(dirPath, e.name), keyPrefix + e.name, e.ino, a)) return false;
    }
    if (page->size() < kPage) break;
  }
  return flushBelow("", true);
}

}  // namespace

S3Error ListObjects(S3Fs& s3, std::string_view bucket, const ListParams& p, ListOutput* out) {
  std::string root;
  if (S3Error e = s3.BucketRoot(bucket, &root); !e.ok()) return e;
  if (p.maxKeys == 0) return S3Error{};
  size_t slash = p.prefix.find_last_of('/');
  std::string baseRel = slash == std::string::npos ? "" : p.prefix.substr(0, slash + 1);
  std::string namePrefix = slash == std::string::npos ? p.prefix : p.prefix.substr(slash + 1);
  std::string baseDir = root;
  if (!baseRel.empty()) {
    std::string probe;
    if (!s3.ObjectPath(bucket, baseRel, &probe).ok()) return S3Error{};  // not representable: no keys
    baseDir = probe;
    auto a = s3.fs().Stat(baseDir);
    if (!a || a->type != FileType::kDir) return S3Error{};
  }
  std::optional<std::string> afterRel;
  if (!p.after.empty()) {
    if (p.after.starts_with(baseRel)) {
      afterRel = p.after.substr(baseRel.size());
    } else if (p.after > baseRel) {
      return S3Error{};  // every key of the base directory sorts before it
    }
  }
  Lister l(s3, p, out, root == "/");
  bool saw = false;
  l.Visit(baseDir, baseRel, namePrefix, afterRel, &saw);
  if (!saw && !baseRel.empty() && namePrefix.empty() && !afterRel) {
    if (auto a = s3.fs().Stat(baseDir); a && a->type == FileType::kDir) l.EmitBaseFolder(baseRel, *a);
  }
  return S3Error{};
}

}  // namespace slicefs::gateway
