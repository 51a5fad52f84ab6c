#include "vfs/census.h"

#include <algorithm>

#include "kv/scan.h"
#include "meta/attr_codec.h"
#include "meta/dir_stats.h"
#include "meta/keys.h"
#include "meta/slice_codec.h"

namespace slicefs {

const CensusInode* VolumeCensus::Find(Ino ino) const {
  auto it = std::lower_bound(inodes.begin(), inodes.end(), ino,
                             [](const CensusInode& a, Ino b) { return a.ino < b; });
  return it != inodes.end() && it->ino == ino ? &*it : nullptr;
}
bool VolumeCensus::IsOpen(Ino ino) const { return std::binary_search(openInos.begin(), openInos.end(), ino); }
bool VolumeCensus::IsDeleted(Ino ino) const {
  return std::binary_search(deletedInos.begin(), deletedInos.end(), ino);
}

namespace {

Status VisitInodeKey(VolumeCensus& c, const KeyValue& kv) {
  auto ik = keys::ParseInodeKey(kv.key);
  if (!ik) return Status::OK();
  switch (ik->kind) {
    case 'I': {
      ASSIGN_OR_RETURN(Attr a, DecodeAttr(kv.value));
      c.inodes.push_back({ik->ino, a.type, a.nlink, a.length, a.parent});
      for (uint32_t id : {a.accessAcl, a.defaultAcl}) {
        if (id == 0) continue;
        auto& use = c.aclUses[id];
        use.first++;
        use.second = ik->ino;
      }
      break;
    }
    case 'D': {
      ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(kv.value));
      c.links.push_back({e.ino, ik->ino, e.type});
      break;
    }
    case 'P': {
      auto p = keys::ParentOf(kv.key);
      if (p) c.parents.push_back({ik->ino, *p, DecodeCounter(kv.value)});
      break;
    }
    case 'C': {
      ASSIGN_OR_RETURN(auto recs, DecodeSliceRecords(kv.value));
      for (const auto& r : recs) {
        if (r.id != 0) c.refs.push_back({r.id, r.size, ik->ino});
      }
      break;
    }
    default:
      break;
  }
  return Status::OK();
}

}  // namespace

Result<VolumeCensus> TakeCensus(KvStore& kv, const std::function<void(uint64_t)>& onKeys) {
  VolumeCensus c;
  uint64_t seen = 0;
  auto tick = [&] {
    if (onKeys && ++seen % 4096 == 0) onKeys(seen);
  };
  Status st = kv.readStream([&](KvTxn& tx) -> Status {
    c = VolumeCensus{};
    seen = 0;
    RETURN_IF_ERROR(ScanPrefix(tx, keys::InodeAll(), 1000, [&](const KeyValue& e) -> Status {
      tick();
      return VisitInodeKey(c, e);
    }));
    RETURN_IF_ERROR(ScanPrefix(tx, keys::SliceRefAll(), 1000, [&](const KeyValue& e) -> Status {
      tick();
      auto k = keys::ParseSliceRef(e.key);
      if (k) c.counts.push_back({k->id, k->size, DecodeCounter(e.value)});
      return Status::OK();
    }));
    RETURN_IF_ERROR(ScanPrefix(tx, keys::AclAll(), 1000, [&](const KeyValue& e) -> Status {
      tick();
      auto id = keys::AclIdOf(e.key);
      if (!id) return Status::OK();  // RH index keys
      if (e.key[1] == 'A') c.aclRules.insert(*id);
      else c.aclCounts[*id] = DecodeCounter(e.value);
      return Status::OK();
    }));
    RETURN_IF_ERROR(ScanPrefix(tx, keys::SessionFileAll(), 1000, [&](const KeyValue& e) -> Status {
      auto ino = keys::SessionFileIno(e.key);
      if (ino) c.openInos.push_back(*ino);
      return Status::OK();
    }));
    RETURN_IF_ERROR(ScanPrefix(tx, keys::DeletedAll(), 1000, [&](const KeyValue& e) -> Status {
      auto d = keys::ParseDeleted(e.key);
      if (d) c.deletedInos.push_back(d->ino);
      return Status::OK();
    }));
    RETURN_IF_ERROR(ScanPrefix(tx, keys::DirStatAll(), 1000, [&](const KeyValue& e) -> Status {
      tick();
      auto ino = keys::DirStatIno(e.key);
      if (ino) c.dirStats.emplace_back(*ino, DecodeDirStat(e.value));
      return Status::OK();
    }));
    ASSIGN_OR_RETURN(auto space, tx.get(keys::Counter(keys::kUsedSpace)));
    ASSIGN_OR_RETURN(auto inodes, tx.get(keys::Counter(keys::kTotalInodes)));
    ASSIGN_OR_RETURN(auto next, tx.get(keys::Counter(keys::kNextChunk)));
    c.usedSpace = space ? DecodeCounter(*space) : 0;
    c.totalInodes = inodes ? DecodeCounter(*inodes) : 0;
    c.nextChunk = next ? DecodeCounter(*next) : 0;
    return Status::OK();
  });
  if (!st.ok()) return Err(st);
  c.snapshot = kv.streamIsSnapshot();
  std::sort(c.inodes.begin(), c.inodes.end(), [](const auto& a, const auto& b) { return a.ino < b.ino; });
  std::sort(c.links.begin(), c.links.end(),
            [](const auto& a, const auto& b) { return std::pair(a.child, a.parent) < std::pair(b.child, b.parent); });
  std::sort(c.parents.begin(), c.parents.end(),
            [](const auto& a, const auto& b) { return std::pair(a.ino, a.parent) < std::pair(b.ino, b.parent); });
  std::sort(c.refs.begin(), c.refs.end(), [](const auto& a, const auto& b) {
    return std::tuple(a.id, a.size, a.ino) < std::tuple(b.id, b.size, b.ino);
  });
  // K keys are already sorted by (id, size): BE64 then BE32.
  auto uniq = [](std::vector<Ino>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  uniq(c.openInos);
  uniq(c.deletedInos);
  return c;
}

}  // namespace slicefs
