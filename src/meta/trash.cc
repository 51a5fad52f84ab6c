// The trash: with trashDays > 0, a removed file (its last link) or an empty
// directory (rmdir) moves into this hour's directory ".trash/YYYY-MM-DD-HH"
// (UTC) as "{parent}-{ino}-{name}" (MetaImpl::DropLink); `slicefs rmr` moves
// a whole tree there in one rename. Hour directories have fixed inodes
// (kTrashIno + 1 + hours since the epoch), so clients that create the same
// hour at once simply conflict and retry. CleanTrash removes whole hours
// once they are older than trashDays; one client at a time (a lease in the
// counter key C trashPurge).
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <ctime>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;
constexpr int64_t kHourSec = 3600;
constexpr int64_t kPurgeLeaseSec = 120;
constexpr char kPurgeLeaseCounter[] = "trashPurge";

Ino TrashHourIno(int64_t hour) { return kTrashIno + 1 + static_cast<Ino>(hour); }

}  // namespace

std::string TrashEntryName(Ino parent, Ino ino, std::string_view name) {
  std::string t = std::to_string(parent) + "-" + std::to_string(ino) + "-" + std::string(name);
  if (t.size() > kMaxNameLen) t.resize(kMaxNameLen);
  return t;
}

std::string TrashHourName(int64_t ns) {
  time_t t = static_cast<time_t>(ns / kNsPerSec);
  struct tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour);
  return buf;
}

std::optional<int64_t> ParseTrashHour(std::string_view s) {
  if (s.size() != 13 || s[4] != '-' || s[7] != '-' || s[10] != '-') return std::nullopt;
  auto num = [&](size_t off, size_t len, int lo, int hi) -> std::optional<int> {
    int v = 0;
    auto r = std::from_chars(s.data() + off, s.data() + off + len, v);
    if (r.ec != std::errc() || r.ptr != s.data() + off + len || v < lo || v > hi) return std::nullopt;
    return v;
  };
  auto y = num(0, 4, 1970, 9999), mo = num(5, 2, 1, 12), d = num(8, 2, 1, 31), h = num(11, 2, 0, 23);
  if (!y || !mo || !d || !h) return std::nullopt;
  struct tm tm{};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  time_t t = timegm(&tm);
  if (t < 0) return std::nullopt;
  return static_cast<int64_t>(t) / kHourSec;
}

Result<Ino> MetaImpl::TrashHourInTxn(KvTxn& tx, int64_t now, TxnEffects& fx) {
  const std::string name = TrashHourName(now);
  ASSIGN_OR_RETURN(auto e, LoadEntry(tx, kTrashIno, name));
  if (e) return e->ino;
  const Ino ino = TrashHourIno(now / kNsPerSec / kHourSec);
  ASSIGN_OR_RETURN(Attr trash, MustAttr(tx, kTrashIno));
  Attr a;
  a.type = FileType::kDir;
  a.mode = 0555;
  a.nlink = 2;
  a.length = 4096;
  a.atimeNs = a.mtimeNs = a.ctimeNs = now;
  a.parent = kTrashIno;
  SaveAttr(tx, ino, a);
  tx.put(keys::Entry(kTrashIno, name), EncodeEntry(FileType::kDir, ino));
  fx.Dir(kTrashIno, StatOf(a));
  trash.nlink++;
  trash.mtimeNs = trash.ctimeNs = now;
  SaveAttr(tx, kTrashIno, trash);
  fx.inodeDelta += 1;
  return ino;
}

Result<Ino> MetaImpl::TrashHourDir(int64_t nowNs) {
  META_TRY(CheckWritable());
  Ino ino = 0;
  TxnEffects fx;
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    fx.Reset();
    ASSIGN_OR_RETURN(ino, TrashHourInTxn(tx, nowNs, fx));
    return Status::OK();
  }));
  Apply(fx);
  return ino;
}

Result<bool> MetaImpl::TakePurgeLease(int64_t nowSec, bool release) {
  bool got = false;
  const std::string key = keys::Counter(kPurgeLeaseCounter);
  const uint64_t me = session_.id();
  META_TRY(kv_->txn([&](KvTxn& tx) -> Status {
    got = false;
    ASSIGN_OR_RETURN(auto v, tx.get(key));
    // value: BE64 expiry (unix s) + BE64 holder session
    int64_t until = 0;
    uint64_t holder = 0;
    if (v && v->size() == 16) {
      until = static_cast<int64_t>(GetBE64(*v, 0));
      holder = GetBE64(*v, 8);
    }
    if (release) {
      if (holder == me) tx.del(key);
      got = true;
      return Status::OK();
    }
    if (until > nowSec && holder != me) return Status::OK();
    std::string nv;
    PutBE64(nv, static_cast<uint64_t>(nowSec + kPurgeLeaseSec));
    PutBE64(nv, me);
    tx.put(key, nv);
    got = true;
    return Status::OK();
  }));
  return got;
}

bool MetaImpl::TrashExpired(const DirEntry& e, int64_t nowNs) const {
  const int64_t keepNs = static_cast<int64_t>(fmt_.trashDays) * 86400LL * kNsPerSec;
  // An hour's entries were trashed before its end; older layouts' flat
  // entries are judged by their ctime (the time they were trashed).
  auto hour = ParseTrashHour(e.name);
  int64_t trashedNs = hour ? (*hour + 1) * kHourSec * kNsPerSec : (e.attr ? e.attr->ctimeNs : nowNs);
  return trashedNs + keepNs <= nowNs;
}

Result<int> MetaImpl::CleanTrash(int64_t nowNs) {
  META_TRY(CheckWritable());
  // Tests shorten time: SLICEFS_TRASH_NOW_OFFSET_SEC is added to "now".
  if (const char* off = std::getenv("SLICEFS_TRASH_NOW_OFFSET_SEC"); off && *off) {
    nowNs += std::strtoll(off, nullptr, 10) * kNsPerSec;
  }
  const int64_t wallSec = NowNs() / kNsPerSec;
  ASSIGN_OR_RETURN(bool leased, TakePurgeLease(wallSec, false));
  if (!leased) return 0;  // another client is purging
  uint64_t removed = 0;
  Status result;
  auto renew = [&](uint64_t) {
    auto r = TakePurgeLease(NowNs() / kNsPerSec, false);
    return r && *r;
  };
  const Ctx root = Ctx::Root();
  std::string after;
  for (;;) {
    auto entries = Readdir(root, kTrashIno, after, 1000, true);
    if (!entries) {
      result = entries.error();
      break;
    }
    for (const auto& e : *entries) {
      if (!TrashExpired(e, nowNs)) continue;
      auto r = RemoveTree(kTrashIno, e.name, renew);
      if (!r && !r.error().is(ENOENT)) {
        result = r.error();
        break;
      }
      if (r) removed += *r;
    }
    if (!result.ok() || entries->size() < 1000) break;
    after = entries->back().name;
  }
  (void)TakePurgeLease(wallSec, true);
  if (!result.ok()) return Err(result);
  if (removed > 0) spdlog::info("trash: purged {} entries", removed);
  return static_cast<int>(std::min<uint64_t>(removed, INT32_MAX));
}

}  // namespace slicefs
