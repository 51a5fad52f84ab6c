// fsck "slice-refs": each K{id}{size} count equals the number of chunk
// records naming the slice (in any inode, including files whose data is
// pending deletion). Repair sets the count from the records; a count set to
// 0 lets the next client with a slice deleter remove the slice's objects.
#include "meta/attr_codec.h"
#include "meta/keys.h"
#include "vfs/fsck_checks.h"

namespace slicefs {
namespace {

Status SetCount(FsckRun& run, uint64_t id, uint32_t size, int64_t seen, int64_t want, bool* done) {
  return run.kv.txn([&](KvTxn& tx) -> Status {
    *done = false;
    const std::string k = keys::SliceRef(id, size);
    ASSIGN_OR_RETURN(auto v, tx.get(k));
    const int64_t now = v ? DecodeCounter(*v) : -1;
    if (now != seen) return Status::OK();  // changed since the census
    tx.put(k, EncodeCounter(want));
    *done = true;
    return Status::OK();
  });
}

}  // namespace

Status FsckCheckSliceRefs(FsckRun& run) {
  const auto& refs = run.census.refs;
  const auto& counts = run.census.counts;
  size_t i = 0, j = 0;
  while (i < refs.size() || j < counts.size()) {
    uint64_t id;
    uint32_t size;
    int64_t have = -1, want = 0;  // -1: no K key
    Ino someIno = 0;
    const bool takeRef = i < refs.size() &&
                         (j >= counts.size() || std::pair(refs[i].id, refs[i].size) <= std::pair(counts[j].id, counts[j].size));
    if (takeRef) {
      id = refs[i].id;
      size = refs[i].size;
      someIno = refs[i].ino;
      while (i < refs.size() && refs[i].id == id && refs[i].size == size) i++, want++;
    } else {
      id = counts[j].id;
      size = counts[j].size;
    }
    if (j < counts.size() && counts[j].id == id && counts[j].size == size) have = counts[j++].count;
    if (have == want || (have == 0 && want == 0)) continue;
    bool repaired = false;
    if (run.opts.repair) RETURN_IF_ERROR(SetCount(run, id, size, have, want, &repaired));
    std::string msg = "slice " + std::to_string(id) + " (" + std::to_string(size) + " bytes): reference count " +
                      (have < 0 ? std::string("missing") : std::to_string(have)) + ", " + std::to_string(want) +
                      " chunk records";
    if (someIno) msg += " (e.g. in " + run.PathOf(someIno) + ")";
    run.Problem("slice-refs", someIno, msg + (repaired ? " (fixed)" : ""), repaired);
  }
  return Status::OK();
}

}  // namespace slicefs
