// Directory quotas (keys QD{ino}) and tree walks over per-directory stats:
// quota set/get/delete/list, the usage of a subtree (quota set and quota
// check) and the tree summary. The walks visit directories only: each
// directory's entry list (names and types from the entry keys) and its
// stats key, never a file's attributes (except TreeUsage with strict).
#include <algorithm>

#include "meta/meta_impl.h"

namespace slicefs {

namespace {
// The subdirectories of dir, in name order.
Result<std::vector<std::pair<std::string, Ino>>> Subdirs(KvStore& kv, Ino dir) {
  std::vector<std::pair<std::string, Ino>> out;
  META_TRY(kv.readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    return ScanPrefix(tx, keys::EntryPrefix(dir), 1000, [&](const KeyValue& kv) -> Status {
      ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(kv.value));
      if (e.type != FileType::kDir) return Status::OK();
      auto name = keys::EntryName(kv.key);
      out.emplace_back(std::string(name.value_or("")), e.ino);
      return Status::OK();
    });
  }));
  return out;
}

Status CheckQuotaDir(KvTxn& tx, Ino dir) {
  if (dir == kTrashIno) return Status::Invalid("the trash cannot have a quota");
  ASSIGN_OR_RETURN(Attr a, MetaImpl::MustAttr(tx, dir));
  if (a.type != FileType::kDir) return Status::Error(ENOTDIR, "quotas are set on directories");
  return Status::OK();
}
}  // namespace

Result<DirStat> MetaImpl::TreeUsage(Ino dir, bool strict, bool repairStats) {
  DirStat total;
  std::vector<Ino> stack{dir};
  while (!stack.empty()) {
    const Ino d = stack.back();
    stack.pop_back();
    ASSIGN_OR_RETURN(DirStat s, strict ? RecomputeDirStat(d, repairStats) : GetDirStat(d));
    total += s;
    ASSIGN_OR_RETURN(auto subs, Subdirs(*kv_, d));
    for (auto& [name, ino] : subs) stack.push_back(ino);
  }
  return total;
}

Status MetaImpl::SetQuota(Ino dir, std::optional<uint64_t> maxSpace, std::optional<uint64_t> maxInodes) {
  META_TRY(CheckWritable());
  META_TRY(FlushUsage());  // this client's deltas are in the dir stats the usage is computed from
  std::optional<Quota> old;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    META_TRY(CheckQuotaDir(tx, dir));
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Quota(dir)));
    if (v) {
      ASSIGN_OR_RETURN(old, DecodeQuota(*v));
    }
    return Status::OK();
  }));
  DirStat usage;
  if (!old) {
    ASSIGN_OR_RETURN(usage, TreeUsage(dir, false, false));
  }
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    META_TRY(CheckQuotaDir(tx, dir));
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Quota(dir)));
    Quota q;
    if (v) {
      ASSIGN_OR_RETURN(q, DecodeQuota(*v));
    } else {
      q.usedSpace = usage.space;
      q.usedInodes = usage.inodes;
    }
    if (maxSpace) q.maxSpace = *maxSpace;
    if (maxInodes) q.maxInodes = *maxInodes;
    tx.put(keys::Quota(dir), EncodeQuota(q));
    return Status::OK();
  }));
  return dirStats_.Flush();
}

Result<std::optional<Quota>> MetaImpl::GetQuota(Ino dir) {
  std::optional<Quota> q;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    META_TRY(CheckQuotaDir(tx, dir));
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Quota(dir)));
    if (v) {
      ASSIGN_OR_RETURN(q, DecodeQuota(*v));
    }
    return Status::OK();
  }));
  if (q) {  // plus this client's unflushed usage
    auto [space, inodes] = dirStats_.PendingQuota(dir);
    q->usedSpace += space;
    q->usedInodes += inodes;
  }
  return q;
}

Status MetaImpl::DeleteQuota(Ino dir) {
  META_TRY(CheckWritable());
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    META_TRY(CheckQuotaDir(tx, dir));
    ASSIGN_OR_RETURN(auto v, tx.get(keys::Quota(dir)));
    if (!v) return Status::Error(ENOENT, "no quota on this directory");
    tx.del(keys::Quota(dir));
    return Status::OK();
  }));
  dirStats_.ForgetPending(dir);
  return dirStats_.Flush();
}

Result<std::vector<std::pair<Ino, Quota>>> MetaImpl::ListQuotas() {
  std::vector<std::pair<Ino, Quota>> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    return ScanPrefix(tx, keys::QuotaAll(), 1000, [&](const KeyValue& kv) -> Status {
      auto ino = keys::QuotaIno(kv.key);
      if (!ino) return Status::OK();
      ASSIGN_OR_RETURN(Quota q, DecodeQuota(kv.value));
      out.emplace_back(*ino, q);
      return Status::OK();
    });
  }));
  return out;
}

Status MetaImpl::SetQuotaUsage(Ino dir, int64_t space, int64_t inodes) {
  META_TRY(CheckWritable());
  META_TRY(kv_->txn([&](KvTxn& tx) { return PutQuotaUsage(tx, dir, space, inodes); }));
  dirStats_.ForgetPending(dir);
  return dirStats_.Flush();
}

Status MetaImpl::QuotaStatFs(Ino ino, StatFsInfo& st) {
  if (!dirStats_.haveQuotas() || ino == 0) return Status::OK();
  Ino dir = ino;
  std::optional<Attr> a;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(a, LoadAttr(tx, ino));
    return Status::OK();
  }));
  if (!a) return Status::OK();
  if (a->type != FileType::kDir) {
    if (a->parent == 0) return Status::OK();  // hard links: no single tree
    dir = a->parent;
  }
  ASSIGN_OR_RETURN(auto roots, QuotaRoots(dir, nullptr));
  // The nearest quota with a space limit sets the size, the nearest with an
  // inode limit the inode figures.
  bool space = false, inodes = false;
  for (Ino r : roots) {
    auto q = dirStats_.QuotaOf(r);
    if (!q) continue;
    if (!space && q->maxSpace) {
      space = true;
      const uint64_t used = static_cast<uint64_t>(std::max<int64_t>(0, q->usedSpace));
      st.totalSpace = std::max(q->maxSpace, used);
      st.availSpace = st.totalSpace - used;
    }
    if (!inodes && q->maxInodes) {
      inodes = true;
      st.usedInodes = static_cast<uint64_t>(std::max<int64_t>(0, q->usedInodes));
      st.availInodes = q->maxInodes > st.usedInodes ? q->maxInodes - st.usedInodes : 0;
    }
  }
  return Status::OK();
}

namespace {
void FoldChildren(SummaryNode& n, int entries) {
  auto& c = n.children;
  std::stable_sort(c.begin(), c.end(), [](const SummaryNode& a, const SummaryNode& b) { return a.space > b.space; });
  if (entries <= 0 || c.size() <= static_cast<size_t>(entries)) return;
  SummaryNode rest;
  rest.name = "...";
  for (size_t i = static_cast<size_t>(entries); i < c.size(); i++) {
    rest.length += c[i].length;
    rest.space += c[i].space;
    rest.files += c[i].files;
    rest.dirs += c[i].dirs;
  }
  c.resize(static_cast<size_t>(entries));
  c.push_back(std::move(rest));
}
}  // namespace

Result<SummaryNode> MetaImpl::Summarize(Ino dir, int depth, int entries) {
  // Iterative post-order walk: frames of directories being summed.
  struct Frame {
    SummaryNode node;
    std::vector<std::pair<std::string, Ino>> subs;
    size_t next = 0;
    int level = 0;
  };
  auto open = [&](std::string name, Ino ino, int level) -> Result<Frame> {
    Frame f;
    f.node.name = std::move(name);
    f.node.ino = ino;
    f.level = level;
    ASSIGN_OR_RETURN(DirStat s, GetDirStat(ino));
    ASSIGN_OR_RETURN(f.subs, Subdirs(*kv_, ino));
    f.node.length = static_cast<uint64_t>(std::max<int64_t>(0, s.length));
    f.node.space = static_cast<uint64_t>(std::max<int64_t>(0, s.space));
    f.node.files = static_cast<uint64_t>(std::max<int64_t>(0, s.inodes - static_cast<int64_t>(f.subs.size())));
    f.node.dirs = 1;
    return f;
  };
  std::vector<Frame> stack;
  ASSIGN_OR_RETURN(Frame top, open("", dir, 0));
  stack.push_back(std::move(top));
  for (;;) {
    Frame& f = stack.back();
    if (f.next < f.subs.size()) {
      auto [name, ino] = f.subs[f.next++];
      const int level = f.level + 1;
      ASSIGN_OR_RETURN(Frame child, open(std::move(name), ino, level));
      stack.push_back(std::move(child));
      continue;
    }
    Frame done = std::move(stack.back());
    stack.pop_back();
    FoldChildren(done.node, entries);
    if (stack.empty()) return std::move(done.node);
    SummaryNode& p = stack.back().node;
    p.length += done.node.length;
    p.space += done.node.space;
    p.files += done.node.files;
    p.dirs += done.node.dirs;
    if (done.level <= depth) {
      if (done.level == depth) done.node.children.clear();
      p.children.push_back(std::move(done.node));
    }
  }
}

}  // namespace slicefs
