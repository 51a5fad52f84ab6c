// fsck "dir-nlink" and "file-links": link counts and parent bookkeeping
// against the directory entries (docs/formats.md, "Inode attributes"):
//   - a directory's nlink is 2 + its subdirectories, and its parent field
//     names the one directory that lists it;
//   - a non-directory's nlink is the number of entries naming it; with one
//     entry its parent field is that directory and it has no parent
//     records, with several the parent field is 0 and A{ino}P{parent}
//     holds, per directory, the number of entries there.
// Repair rewrites nlink, the parent field and the parent records from the
// entries, in one transaction per inode.
#include <unordered_map>

#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {
namespace {

// Entries naming `ino`, grouped by directory: (parent, count).
std::vector<std::pair<Ino, int64_t>> LinksOf(const VolumeCensus& c, Ino ino) {
  std::vector<std::pair<Ino, int64_t>> out;
  auto it = std::lower_bound(c.links.begin(), c.links.end(), ino,
                             [](const CensusLink& l, Ino v) { return l.child < v; });
  for (; it != c.links.end() && it->child == ino; ++it) {
    if (!c.Find(it->parent)) continue;  // a dangling directory: its entries do not count
    if (!out.empty() && out.back().first == it->parent) {
      out.back().second++;
    } else {
      out.emplace_back(it->parent, 1);
    }
  }
  return out;
}

std::vector<std::pair<Ino, int64_t>> ParentRecsOf(const VolumeCensus& c, Ino ino) {
  std::vector<std::pair<Ino, int64_t>> out;
  auto it = std::lower_bound(c.parents.begin(), c.parents.end(), ino,
                             [](const CensusParentRec& p, Ino v) { return p.ino < v; });
  for (; it != c.parents.end() && it->ino == ino; ++it) out.emplace_back(it->parent, it->count);
  return out;
}

// Rewrites nlink/parent/parent records of ino (if its attributes still say
// what the census saw: `seen`).
Status Rewrite(FsckRun& run, const CensusInode& seen, uint32_t nlink, Ino parent,
               const std::vector<std::pair<Ino, int64_t>>& recs, bool* done) {
  return run.kv.txn([&](KvTxn& tx) -> Status {
    *done = false;
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Attr(seen.ino)));
    if (!v) return Status::OK();
    ASSIGN_OR_RETURN(Attr a, DecodeAttr(*v));
    if (a.nlink != seen.nlink || a.parent != seen.parent) return Status::OK();  // changed meanwhile
    std::vector<std::string> old;
    RETURN_IF_ERROR(ScanPrefix(tx, keys::ParentPrefix(seen.ino), 100, [&](const KeyValue& kv) -> Status {
      old.push_back(kv.key);
      return Status::OK();
    }));
    for (const auto& k : old) tx.del(k);
    for (const auto& [p, n] : recs) tx.put(keys::Parent(seen.ino, p), EncodeCounter(n));
    a.nlink = nlink;
    a.parent = parent;
    tx.put(keys::Attr(seen.ino), EncodeAttr(a));
    *done = true;
    return Status::OK();
  });
}

}  // namespace

Status FsckCheckDirLinks(FsckRun& run) {
  const auto& c = run.census;
  std::unordered_map<Ino, uint32_t> subdirs;
  for (const auto& l : c.links) {
    const CensusInode* child = c.Find(l.child);
    if (child && child->type == FileType::kDir) subdirs[l.parent]++;
  }
  for (const auto& in : c.inodes) {
    if (in.type != FileType::kDir) continue;
    auto it = subdirs.find(in.ino);
    const uint32_t want = 2 + (it == subdirs.end() ? 0 : it->second);
    auto links = LinksOf(c, in.ino);
    Ino wantParent = in.parent;
    if (in.ino != kRootIno && in.ino != kTrashIno && links.size() == 1) wantParent = links[0].first;
    if (in.nlink == want && in.parent == wantParent) continue;
    bool repaired = false;
    if (run.opts.repair) RETURN_IF_ERROR(Rewrite(run, in, want, wantParent, {}, &repaired));
    std::string msg = run.PathOf(in.ino) + ": directory";
    if (in.nlink != want) msg += " nlink " + std::to_string(in.nlink) + ", expected " + std::to_string(want);
    if (in.parent != wantParent) msg += " parent " + std::to_string(in.parent) + ", listed in " + std::to_string(wantParent);
    run.Problem("dir-nlink", in.ino, msg + (repaired ? " (fixed)" : ""), repaired);
  }
  return Status::OK();
}

Status FsckCheckFileLinks(FsckRun& run) {
  const auto& c = run.census;
  for (const auto& in : c.inodes) {
    if (in.type == FileType::kDir) continue;
    auto links = LinksOf(c, in.ino);
    if (links.empty()) continue;  // orphans / open-unlinked: the orphan check
    int64_t entries = 0;
    for (const auto& l : links) entries += l.second;
    const auto recs = ParentRecsOf(c, in.ino);
    const bool single = entries == 1;
    const Ino wantParent = single ? links[0].first : 0;
    const auto wantRecs = single ? std::vector<std::pair<Ino, int64_t>>{} : links;
    if (in.nlink == entries && in.parent == wantParent && recs == wantRecs) continue;
    bool repaired = false;
    if (run.opts.repair) {
      RETURN_IF_ERROR(Rewrite(run, in, static_cast<uint32_t>(entries), wantParent, wantRecs, &repaired));
    }
    std::string msg = run.PathOf(in.ino) + ": nlink " + std::to_string(in.nlink) + ", " +
                      std::to_string(entries) + " entries";
    if (in.parent != wantParent) msg += ", parent field " + std::to_string(in.parent) + " (expected " +
                                        std::to_string(wantParent) + ")";
    if (recs != wantRecs) msg += ", parent records do not match the entries";
    run.Problem("file-links", in.ino, msg + (repaired ? " (fixed)" : ""), repaired);
  }
  return Status::OK();
}

}  // namespace slicefs
