// FUSE adapter helpers: credentials, errno replies, attribute conversion.
#include <chrono>

#include "fuse/fuse_internal.h"
#include "fuse/op_trace.h"

namespace slicefs::fusead {

FuseFs& Fs(fuse_req_t req) { return *static_cast<FuseFs*>(fuse_req_userdata(req)); }
Vfs& V(fuse_req_t req) { return *Fs(req).vfs; }

namespace {
int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

namespace {
Ctx CallerCtx(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  Ctx ctx;
  ctx.uid = c->uid;
  ctx.gid = c->gid;
  ctx.pid = c->pid;
  if (ctx.uid == 0) return ctx;  // root passes every check; skip the /proc read
  FuseFs& fs = Fs(req);
  int64_t now = NowMs();
  {
    std::lock_guard lk(fs.groupsMu);
    auto it = fs.groups.find(ctx.pid);
    if (it != fs.groups.end() && now - it->second.second < 1000) {
      ctx.gids = it->second.first;
      return ctx;
    }
  }
  std::vector<gid_t> list(32);
  int n = fuse_req_getgroups(req, static_cast<int>(list.size()), list.data());
  if (n > static_cast<int>(list.size())) {
    list.resize(n);
    n = fuse_req_getgroups(req, static_cast<int>(list.size()), list.data());
  }
  if (n > 0) ctx.gids.assign(list.begin(), list.begin() + std::min<int>(n, list.size()));
  std::lock_guard lk(fs.groupsMu);
  if (fs.groups.size() > 4096) fs.groups.clear();
  fs.groups[ctx.pid] = {ctx.gids, now};
  return ctx;
}
}  // namespace

// The one place a request's caller becomes the Ctx every check uses:
// --root-squash / --all-squash apply here (vfs/caller_map.h).
Ctx MakeCtx(fuse_req_t req) {
  const CallerMap& m = V(req).callerMap();
  if (m.allSquash) {  // the caller's own groups do not matter
    Ctx ctx;
    ctx.pid = fuse_req_ctx(req)->pid;
    return m.Apply(std::move(ctx));
  }
  return m.Apply(CallerCtx(req));
}

uint32_t Umask(fuse_req_t req) { return V(req).callerMap().ApplyUmask(fuse_req_ctx(req)->umask); }

void ReplyErrno(fuse_req_t req, int err) {
  if (err < 0 || err >= 4096) err = EIO;  // 0 is success
  NoteReplyErr(err);
  fuse_reply_err(req, err);
}

void ReplyErr(fuse_req_t req, const Status& st) { ReplyErrno(req, st.ok() ? 0 : st.code()); }

void FillStat(Ino ino, const Attr& a, struct stat* st) {
  *st = {};
  st->st_ino = ino;
  st->st_mode = ModeTypeBits(a.type) | (a.mode & 07777);
  st->st_nlink = a.nlink;
  st->st_uid = a.uid;
  st->st_gid = a.gid;
  st->st_rdev = a.rdev;
  st->st_size = static_cast<off_t>(a.length);
  st->st_blksize = 1 << 16;
  st->st_blocks = static_cast<blkcnt_t>((a.length + 511) / 512);
  if (a.type == FileType::kDir) st->st_size = 4096, st->st_blocks = 8;
  st->st_atim.tv_sec = a.atimeNs / 1000000000;
  st->st_atim.tv_nsec = a.atimeNs % 1000000000;
  st->st_mtim.tv_sec = a.mtimeNs / 1000000000;
  st->st_mtim.tv_nsec = a.mtimeNs % 1000000000;
  st->st_ctim.tv_sec = a.ctimeNs / 1000000000;
  st->st_ctim.tv_nsec = a.ctimeNs % 1000000000;
}

void FillEntry(fuse_req_t req, const Entry& e, fuse_entry_param* p) {
  *p = {};
  const auto& o = Fs(req).opts;
  p->ino = e.ino;
  p->generation = 1;
  FillStat(e.ino, e.attr, &p->attr);
  // Attributes that include uncommitted writes change at commit: no caching.
  p->attr_timeout = e.attr.type == FileType::kFile && Fs(req).vfs->Dirty(e.ino) ? 0 : o.attrTimeout;
  p->entry_timeout = e.attr.type == FileType::kDir ? o.dirEntryTimeout : o.entryTimeout;
}

void ReplyEntry(fuse_req_t req, const Entry& e) {
  fuse_entry_param p;
  FillEntry(req, e, &p);
  fuse_reply_entry(req, &p);
}

void ReplyAttr(fuse_req_t req, Ino ino, const Attr& a) {
  struct stat st;
  FillStat(ino, a, &st);
  bool dirty = a.type == FileType::kFile && Fs(req).vfs->Dirty(ino);
  fuse_reply_attr(req, &st, dirty ? 0 : Fs(req).opts.attrTimeout);
}

}  // namespace slicefs::fusead
