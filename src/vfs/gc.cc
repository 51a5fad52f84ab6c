#include "vfs/gc.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "chunk/block_key.h"
#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "vfs/parallel.h"

namespace slicefs {
namespace {

struct RefCount {
  uint64_t id;
  uint32_t size;
  int64_t count;
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A temporary file of "size key\n" lines (keys have no newline).
class Spill {
 public:
  Spill() : f_(std::tmpfile()) {}
  ~Spill() {
    if (f_) std::fclose(f_);
  }
  bool ok() const { return f_ != nullptr; }
  bool Add(const ObjectInfo& o) { return std::fprintf(f_, "%llu %s\n", (unsigned long long)o.size, o.key.c_str()) > 0; }
  void Rewind() { std::rewind(f_); }
  // Up to n entries; empty at the end.
  std::vector<ObjectInfo> Next(size_t n) {
    std::vector<ObjectInfo> out;
    char line[4096];
    while (out.size() < n && std::fgets(line, sizeof line, f_)) {
      std::string s(line);
      if (!s.empty() && s.back() == '\n') s.pop_back();
      auto sp = s.find(' ');
      if (sp == std::string::npos) continue;
      out.push_back({s.substr(sp + 1), std::stoull(s.substr(0, sp)), 0});
    }
    return out;
  }

 private:
  FILE* f_;
};

Result<int64_t> ReadCounter(KvStore& kv, const char* name) {
  int64_t v = 0;
  RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(auto c, tx.get(keys::Counter(name)));
    v = c ? DecodeCounter(*c) : 0;
    return Status::OK();
  }));
  return v;
}

Status DeleteSliceObjects(ObjectStore& store, const VolumeFormat& fmt, uint64_t id, uint32_t size) {
  const uint32_t bs = fmt.blockSizeKiB * 1024;
  for (uint32_t b = 0; b < BlockCount(size, bs); b++) {
    RETURN_IF_ERROR(store.del(BlockObjectKey(fmt.name, fmt.hashPrefix, id, b, BlockLength(size, bs, b))));
  }
  return Status::OK();
}

// Is any K{id}{*} key present now?
Result<bool> SliceKnown(KvStore& kv, uint64_t id) {
  bool known = false;
  const std::string prefix = keys::SliceRef(id, 0).substr(0, 9);  // K + BE64 id
  RETURN_IF_ERROR(kv.readOnly([&](KvTxn& tx) -> Status {
    // K{id}{size} keys are 13 bytes: every size sorts below 5 x 0xff.
    const std::string end = prefix + std::string(5, '\xff');
    ASSIGN_OR_RETURN(auto kvs, tx.scan(prefix, end, 1));
    known = !kvs.empty();
    return Status::OK();
  }));
  return known;
}

}  // namespace

Result<GcReport> RunGc(KvStore& kv, const VolumeFormat& fmt, ObjectStore& store, Meta& meta, const GcOptions& opts) {
  GcReport rep;
  const int64_t startNs = NowNs();
  const int64_t youngAfterNs = startNs - opts.safetyWindowSec * 1000000000LL;
  const uint32_t bs = fmt.blockSizeKiB * 1024;
  // The id guard first: every slice committed later than this read that
  // was allocated later too has id >= nextChunk.
  ASSIGN_OR_RETURN(rep.nextChunk, ReadCounter(kv, keys::kNextChunk));

  std::vector<RefCount> refs;
  RETURN_IF_ERROR(ScanPrefixOutside(kv, keys::SliceRefAll(), 1000, [&](std::vector<KeyValue>& page) -> Status {
    for (const auto& e : page) {
      auto k = keys::ParseSliceRef(e.key);
      if (!k) continue;
      refs.push_back({k->id, k->size, DecodeCounter(e.value)});
      if (refs.back().count <= 0) {
        rep.zeroRefSlices++;
        rep.zeroRefBytes += k->size;
      }
    }
    return Status::OK();
  }));
  RETURN_IF_ERROR(ScanPrefixOutside(kv, keys::DeletedAll(), 1000, [&](std::vector<KeyValue>& page) -> Status {
    for (const auto& e : page) {
      auto d = keys::ParseDeleted(e.key);
      if (!d) continue;
      rep.pendingFiles++;
      rep.pendingFileBytes += d->length;
    }
    return Status::OK();
  }));
  ASSIGN_OR_RETURN(auto trash, meta.ExpiredTrash(startNs));
  rep.expiredTrash = trash.entries;
  rep.expiredTrashBytes = trash.bytes;

  // The listing: classify every object; leaked candidates go to the spill.
  Spill spill;
  if (!spill.ok()) return Err(EIO, "gc: cannot create a temporary file for the candidates (check $TMPDIR)");
  const std::string prefix = ChunksPrefix(fmt.name);
  std::string after;
  for (;;) {
    auto page = store.list(prefix, after, 1000);
    if (!page) return Err(page.error().WithContext("listing " + prefix + " (nothing was deleted)"));
    for (const auto& o : page->objects) {
      rep.listed++;
      rep.listedBytes += o.size;
      auto k = ParseBlockObjectKey(fmt.name, fmt.hashPrefix, o.key);
      if (!k) {
        rep.foreign++;
        continue;
      }
      if (static_cast<int64_t>(k->id) >= rep.nextChunk) {
        rep.uncommitted++;
        continue;
      }
      auto it = std::lower_bound(refs.begin(), refs.end(), k->id,
                                 [](const RefCount& r, uint64_t id) { return r.id < id; });
      bool known = false;
      for (; it != refs.end() && it->id == k->id; ++it) {
        if (k->block < BlockCount(it->size, bs) && BlockLength(it->size, bs, k->block) == k->blockLen) known = true;
      }
      if (known) {  // live, or a zero-count slice (pending: counted above)
        rep.live++;
        rep.liveBytes += o.size;
        continue;
      }
      if (o.mtimeNs <= 0 || o.mtimeNs > youngAfterNs) {  // young, or of unknown age
        rep.young++;
        continue;
      }
      rep.leaked++;
      rep.leakedBytes += o.size;
      if (!spill.Add(o)) return Err(EIO, "gc: writing the candidate list failed (disk full?); nothing was deleted");
    }
    if (opts.progress) opts.progress(rep.listed, rep.listedBytes);
    if (!page->truncated || page->objects.empty()) break;
    after = page->objects.back().key;
  }
  if (!opts.del) return rep;

  // 1. Pending deletions: the D records, through Meta, with a deleter that
  //    collects the freed slices; then the zero-count slices.
  std::mutex mu;
  std::vector<std::pair<uint64_t, uint32_t>> freed;
  meta.SetSliceDeleter([&](uint64_t id, uint32_t size) {
    std::lock_guard lk(mu);
    freed.emplace_back(id, size);
  });
  auto done = meta.ProcessDeletions();
  meta.SetSliceDeleter(SliceDeleter());  // waits for calls in flight
  if (!done) return Err(done.error().WithContext("finishing pending deletions"));
  rep.finishedFiles = static_cast<uint64_t>(*done);
  for (const auto& r : refs) {
    if (r.count > 0) continue;
    bool dropped = false;
    RETURN_IF_ERROR(kv.txn([&](KvTxn& tx) -> Status {
      dropped = false;
      const std::string k = keys::SliceRef(r.id, r.size);
      ASSIGN_OR_RETURN(auto v, tx.get(k));
      if (!v || DecodeCounter(*v) > 0) return Status::OK();
      tx.del(k);
      dropped = true;
      return Status::OK();
    }));
    if (dropped) freed.emplace_back(r.id, r.size);
  }
  RETURN_IF_ERROR(ParallelFor(freed.size(), opts.threads, [&](size_t i) {
    return DeleteSliceObjects(store, fmt, freed[i].first, freed[i].second);
  }));
  rep.freedSlices = freed.size();

  // 2. Leaked objects, re-checked against the engine right before deletion.
  spill.Rewind();
  std::atomic<uint64_t> deleted{0}, deletedBytes{0}, kept{0};
  for (;;) {
    auto batch = spill.Next(1000);
    if (batch.empty()) break;
    RETURN_IF_ERROR(ParallelFor(batch.size(), opts.threads, [&](size_t i) -> Status {
      auto k = ParseBlockObjectKey(fmt.name, fmt.hashPrefix, batch[i].key);
      if (!k) return Status::OK();
      ASSIGN_OR_RETURN(bool known, SliceKnown(kv, k->id));
      if (known) {
        kept++;
        return Status::OK();
      }
      RETURN_IF_ERROR(store.del(batch[i].key).WithContext("deleting " + batch[i].key));
      deleted++;
      deletedBytes += batch[i].size;
      return Status::OK();
    }));
  }
  rep.deleted = deleted;
  rep.deletedBytes = deletedBytes;
  rep.keptOnRecheck = kept;
  return rep;
}

}  // namespace slicefs
