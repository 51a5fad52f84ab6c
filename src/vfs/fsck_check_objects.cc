// fsck "objects": every block of every slice that a chunk record names
// exists in the object store, with the length its key implies (uncompressed
// volumes: object size = blockLen; compressed ones are not size-checked).
// Whole volume: one paged listing of {volume}/chunks/ merged against the
// census' sorted slice list (memory: 24 bytes per slice, not per object).
// With --path: HEAD of each block of the subtree's files, in parallel.
// Lost slices are re-checked against the engine (a slice compacted away
// since the census is not lost) and reported per file as byte ranges.
// Nothing here is repairable.
#include <algorithm>
#include <map>
#include <set>

#include "chunk/block_key.h"
#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "meta/slice_codec.h"
#include "vfs/fsck_checks.h"
#include "vfs/parallel.h"

namespace slicefs {
namespace {

struct SliceState {
  uint64_t id = 0;
  uint32_t size = 0;
  uint32_t found = 0;  // blocks seen with the right length
};

// The inode at `path` ("/a/b"), through the entries.
Result<Ino> ResolvePath(KvStore& kv, const std::string& path) {
  Ino cur = kRootIno;
  RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
    cur = kRootIno;
    size_t i = 0;
    while (i < path.size()) {
      while (i < path.size() && path[i] == '/') i++;
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      if (j > i) {
        const std::string name = path.substr(i, j - i);
        ASSIGN_OR_RETURN(auto v, tx.get(keys::Entry(cur, name)));
        if (!v) return Status::NotFound("no such path in the volume: " + path);
        ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(*v));
        cur = e.ino;
      }
      i = j;
    }
    return Status::OK();
  }));
  return cur;
}

// Inodes of the subtree at root (the census' links, child -> parent).
std::set<Ino> Subtree(const VolumeCensus& c, Ino root) {
  std::set<Ino> in{root};
  // Links are sorted by child; iterate to a fixed point over parents.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& l : c.links) {
      if (in.count(l.parent) && !in.count(l.child)) grew = in.insert(l.child).second;
    }
  }
  return in;
}

Status ListAll(FsckRun& run, std::vector<SliceState>& slices) {
  const uint32_t bs = run.fmt.blockSizeKiB * 1024;
  const bool checkSize = run.fmt.compression == "none" && run.fmt.encryptKey.empty();  // stored size = block length
  const std::string prefix = ChunksPrefix(run.fmt.name);
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(ListPage page, run.store->list(prefix, after, 1000));
    for (const auto& o : page.objects) {
      run.report.objects++;
      run.report.objectBytes += o.size;
      auto k = ParseBlockObjectKey(run.fmt.name, run.fmt.hashPrefix, o.key);
      if (!k) continue;
      auto it = std::lower_bound(slices.begin(), slices.end(), k->id,
                                 [](const SliceState& s, uint64_t id) { return s.id < id; });
      for (; it != slices.end() && it->id == k->id; ++it) {
        if (k->block >= BlockCount(it->size, bs) || BlockLength(it->size, bs, k->block) != k->blockLen) continue;
        if (checkSize && o.size != k->blockLen) {
          run.Problem("objects", 0, "object " + o.key + " has " + std::to_string(o.size) + " bytes, its key says " +
                                        std::to_string(k->blockLen));
          continue;
        }
        it->found++;
      }
    }
    if (run.opts.progress) run.opts.progress(run.report.objects, run.report.objectBytes);
    if (!page.truncated || page.objects.empty()) break;
    after = page.objects.back().key;
  }
  return Status::OK();
}

Status HeadAll(FsckRun& run, std::vector<SliceState>& slices) {
  const uint32_t bs = run.fmt.blockSizeKiB * 1024;
  const bool checkSize = run.fmt.compression == "none" && run.fmt.encryptKey.empty();  // stored size = block length
  std::vector<std::pair<size_t, uint32_t>> blocks;  // (slice index, block)
  for (size_t i = 0; i < slices.size(); i++) {
    for (uint32_t b = 0; b < BlockCount(slices[i].size, bs); b++) blocks.emplace_back(i, b);
  }
  std::vector<std::atomic<uint32_t>> found(slices.size());
  std::atomic<uint64_t> done{0}, bytes{0};
  RETURN_IF_ERROR(ParallelFor(blocks.size(), run.opts.threads, [&](size_t n) -> Status {
    const auto& [i, b] = blocks[n];
    const uint32_t len = BlockLength(slices[i].size, bs, b);
    const std::string key = BlockObjectKey(run.fmt.name, run.fmt.hashPrefix, slices[i].id, b, len);
    auto h = run.store->head(key);
    if (!h) {
      if (h.error().is(ENOENT)) return Status::OK();
      return h.error().WithContext("HEAD " + key);
    }
    bytes += h->size;
    if (run.opts.progress) run.opts.progress(++done, bytes.load());
    if (checkSize && h->size != len) {
      run.Problem("objects", 0, "object " + key + " has " + std::to_string(h->size) + " bytes, its key says " +
                                    std::to_string(len));
      return Status::OK();
    }
    found[i]++;
    return Status::OK();
  }));
  for (size_t i = 0; i < slices.size(); i++) slices[i].found = found[i].load();
  run.report.objects = done.load();
  run.report.objectBytes = bytes.load();
  return Status::OK();
}

// For each inode naming a lost slice: the byte ranges whose current view
// comes from lost slices (re-read now, so slices dropped meanwhile are not
// reported).
Status ReportLost(FsckRun& run, const std::map<uint64_t, std::vector<uint32_t>>& lost) {
  const uint64_t bs = run.fmt.blockSizeKiB * 1024ULL;
  std::set<Ino> inos;
  for (const auto& r : run.census.refs) {
    if (lost.contains(r.id)) inos.insert(r.ino);
  }
  for (Ino ino : inos) {
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [start, end)
    std::set<uint64_t> ids;
    RETURN_IF_ERROR(run.kv.readOnly([&](KvTxn& tx) -> Status {
      ranges.clear();
      ids.clear();
      return ScanPrefix(tx, keys::ChunkPrefix(ino), 64, [&](const KeyValue& kv) -> Status {
        auto index = keys::ChunkIndex(kv.key);
        ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(kv.value));
        if (!index) return Status::OK();
        for (const auto& p : BuildChunkView(recs)) {
          auto it = lost.find(p.id);
          if (it == lost.end()) continue;
          // The part of the piece (slice bytes [off, off+len)) in missing blocks.
          for (uint32_t b : it->second) {
            const uint64_t lo = std::max<uint64_t>(b * bs, p.off), hi = std::min<uint64_t>((b + 1) * bs, p.off + p.len);
            if (lo >= hi) continue;
            ids.insert(p.id);
            const uint64_t start = static_cast<uint64_t>(*index) * kChunkSize + p.pos + (lo - p.off);
            const uint64_t end = start + (hi - lo);
            if (!ranges.empty() && ranges.back().second == start) {
              ranges.back().second = end;
            } else {
              ranges.emplace_back(start, end);
            }
          }
        }
        return Status::OK();
      });
    }));
    if (ranges.empty()) continue;
    std::string msg = run.PathOf(ino) + ": lost data in bytes";
    for (size_t i = 0; i < ranges.size() && i < 16; i++) {
      msg += " [" + std::to_string(ranges[i].first) + ", " + std::to_string(ranges[i].second) + ")";
    }
    if (ranges.size() > 16) msg += " ... (" + std::to_string(ranges.size()) + " ranges)";
    msg += " (missing objects of slice";
    for (uint64_t id : ids) msg += " " + std::to_string(id);
    msg += ")";
    run.Problem("objects", ino, msg, false, true);
  }
  return Status::OK();
}

}  // namespace

Status FsckCheckObjects(FsckRun& run) {
  if (!run.store) return Status::OK();
  const auto& c = run.census;
  std::set<Ino> subtree;
  if (!run.opts.path.empty()) {
    ASSIGN_OR_RETURN(Ino root, ResolvePath(run.kv, run.opts.path));
    subtree = Subtree(c, root);
  }
  std::vector<SliceState> slices;
  for (const auto& r : c.refs) {
    if (!subtree.empty() && !subtree.count(r.ino)) continue;
    if (!slices.empty() && slices.back().id == r.id && slices.back().size == r.size) continue;
    slices.push_back({r.id, r.size, 0});
  }
  if (run.opts.path.empty()) {
    RETURN_IF_ERROR(ListAll(run, slices));
  } else {
    RETURN_IF_ERROR(HeadAll(run, slices));
  }
  const uint32_t bs = run.fmt.blockSizeKiB * 1024;
  std::set<uint64_t> lost;
  for (const auto& s : slices) {
    if (s.found < BlockCount(s.size, bs)) lost.insert(s.id);
  }
  if (lost.empty()) return Status::OK();
  // Confirm each lost slice's blocks with HEAD (a block listed late or an
  // object store with delayed listings) before blaming it.
  std::vector<uint64_t> candidates(lost.begin(), lost.end());
  std::vector<std::vector<uint32_t>> missing(candidates.size());
  RETURN_IF_ERROR(ParallelFor(candidates.size(), run.opts.threads, [&](size_t n) -> Status {
    auto it = std::lower_bound(slices.begin(), slices.end(), candidates[n],
                               [](const SliceState& s, uint64_t id) { return s.id < id; });
    for (; it != slices.end() && it->id == candidates[n]; ++it) {
      for (uint32_t b = 0; b < BlockCount(it->size, bs); b++) {
        auto h = run.store->head(BlockObjectKey(run.fmt.name, run.fmt.hashPrefix, it->id, b,
                                                BlockLength(it->size, bs, b)));
        if (!h && !h.error().is(ENOENT)) return h.error();
        if (!h) missing[n].push_back(b);
      }
    }
    return Status::OK();
  }));
  std::map<uint64_t, std::vector<uint32_t>> confirmed;
  for (size_t n = 0; n < candidates.size(); n++) {
    if (!missing[n].empty()) confirmed[candidates[n]] = std::move(missing[n]);
  }
  if (confirmed.empty()) return Status::OK();
  return ReportLost(run, confirmed);
}

}  // namespace slicefs
