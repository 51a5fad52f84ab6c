#include "fuse/op_trace.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <tuple>
#include <type_traits>
#include <utility>

#include "common/metrics.h"
#include "fuse/internal_files.h"

namespace slicefs::fusead {

// Every callback of fuse_lowlevel_ops that takes a request first.
#define SLICEFS_FUSE_OPS(X)                                                                              \
  X(lookup) X(forget) X(getattr) X(setattr) X(readlink) X(mknod) X(mkdir) X(unlink) X(rmdir) X(symlink)  \
  X(rename) X(link) X(open) X(read) X(write) X(flush) X(release) X(fsync) X(opendir) X(readdir)          \
  X(releasedir) X(fsyncdir) X(statfs) X(setxattr) X(getxattr) X(listxattr) X(removexattr) X(access)     \
  X(create) X(getlk) X(setlk) X(bmap) X(ioctl) X(poll) X(forget_multi) X(flock) X(fallocate)            \
  X(readdirplus) X(copy_file_range) X(lseek)

enum class Op : int {
#define SLICEFS_OP_ENUM(name) name,
  SLICEFS_FUSE_OPS(SLICEFS_OP_ENUM)
#undef SLICEFS_OP_ENUM
  kCount
};

namespace {

constexpr const char* kOpNames[] = {
#define SLICEFS_OP_NAME(name) #name,
    SLICEFS_FUSE_OPS(SLICEFS_OP_NAME)
#undef SLICEFS_OP_NAME
};
constexpr size_t kOps = static_cast<size_t>(Op::kCount);

struct OpRecord {
  int64_t result = 0;  // -errno, or a size when `sized`
  bool sized = false;
};
thread_local OpRecord* tRecord = nullptr;

}  // namespace

class Observer {
 public:
  explicit Observer(const FuseServerOptions& o)
      : metrics_(o.opMetrics),
        files_(o.configJson, [] { return MetricsRegistry::Global().Text(); }, &log_, ::getuid(), ::getgid()) {
    auto& r = MetricsRegistry::Global();
    r.counterFn("slicefs_accesslog_dropped_lines_total", "Access-log lines dropped for slow readers", {},
                [this] { return double(log_.dropped()); });
    if (!metrics_) return;
    for (size_t i = 0; i < kOps; i++) {
      MetricLabels l = {{"op", kOpNames[i]}};
      ops_[i].duration = &r.histogram("slicefs_fuse_op_duration_seconds", "FUSE request latency", l);
      ops_[i].errors = &r.counter("slicefs_fuse_op_errors_total", "FUSE requests answered with an error", l);
    }
  }
  ~Observer() {
    log_.Shutdown();
    MetricsRegistry::Global().removeFn("slicefs_accesslog_dropped_lines_total", {});
  }

  bool busy() const { return metrics_ || log_.active(); }
  InternalFiles& files() { return files_; }

  template <Op Id, class... A>
  void Trace(void (*fn)(fuse_req_t, A...), fuse_req_t req, A... a);

 private:
  struct OpMetrics {
    Histogram* duration = nullptr;
    Counter* errors = nullptr;
  };
  const bool metrics_;
  AccessLog log_;
  InternalFiles files_;
  OpMetrics ops_[kOps];
};

namespace {
Observer* gObserver = nullptr;  // set before the session loop starts, cleared after
}  // namespace

void ObserverDeleter::operator()(Observer* o) const {
  if (gObserver == o) gObserver = nullptr;
  delete o;
}

namespace {

// ---- access-log arguments ---------------------------------------------------

// Arguments that are data, not names: write's buffer, setxattr's value.
constexpr bool IsData(Op id, size_t idx) {
  return (id == Op::write && idx == 1) || (id == Op::setxattr && idx == 2);
}

template <class T>
void AppendArg(std::string& out, const T& v) {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, const char*> || std::is_same_v<U, char*>) {
    out += v ? v : "";
  } else if constexpr (std::is_integral_v<U>) {
    out += std::to_string(v);
  } else {
    return;  // pointers to structures: not shown
  }
}

template <Op Id, class Tuple, size_t... I>
std::string FormatArgs(const Tuple& t, std::index_sequence<I...>) {
  std::string out;
  auto one = [&](size_t idx, const auto& v) {
    using U = std::decay_t<decltype(v)>;
    if constexpr (std::is_pointer_v<U> && !std::is_same_v<U, const char*>) {
      return;
    } else {
      if (IsData(Id, idx)) return;
      if (!out.empty()) out += ",";
      AppendArg(out, v);
    }
  };
  (one(I, std::get<I>(t)), ...);
  return out;
}

int64_t NowMicros() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// ---- internal files ---------------------------------------------------------

// Answers requests about the internal files; true if it replied.
template <Op Id, class... A>
bool Intercept(fuse_req_t req, A... a) {
  if constexpr (sizeof...(A) == 0) {
    return false;
  } else {
    InternalFiles& f = gObserver->files();
    auto t = std::forward_as_tuple(a...);
    using First = std::decay_t<std::tuple_element_t<0, std::tuple<A...>>>;
    auto reserved = [](fuse_ino_t parent, const char* name) { return InternalIno(parent, name) != 0; };
    if constexpr (Id == Op::lookup) {
      Ino ino = InternalIno(std::get<0>(t), std::get<1>(t));
      if (ino == 0) return false;
      f.Lookup(req, ino);
      return true;
    } else if constexpr (Id == Op::mknod || Id == Op::mkdir || Id == Op::create) {
      if (!reserved(std::get<0>(t), std::get<1>(t))) return false;
      ReplyErrno(req, EEXIST);
      return true;
    } else if constexpr (Id == Op::symlink) {
      if (!reserved(std::get<1>(t), std::get<2>(t))) return false;
      ReplyErrno(req, EEXIST);
      return true;
    } else if constexpr (Id == Op::link) {
      if (IsInternalIno(std::get<0>(t))) return ReplyErrno(req, EPERM), true;
      if (!reserved(std::get<1>(t), std::get<2>(t))) return false;
      ReplyErrno(req, EEXIST);
      return true;
    } else if constexpr (Id == Op::unlink || Id == Op::rmdir) {
      if (!reserved(std::get<0>(t), std::get<1>(t))) return false;
      ReplyErrno(req, EPERM);
      return true;
    } else if constexpr (Id == Op::rename) {
      if (!reserved(std::get<0>(t), std::get<1>(t)) && !reserved(std::get<2>(t), std::get<3>(t))) return false;
      ReplyErrno(req, EPERM);
      return true;
    } else if constexpr (Id == Op::forget_multi || !std::is_same_v<First, fuse_ino_t>) {
      return false;
    } else {
      Ino ino = std::get<0>(t);
      if (!IsInternalIno(ino)) return false;
      if constexpr (Id == Op::getattr) {
        f.GetAttr(req, ino);
      } else if constexpr (Id == Op::open) {
        f.Open(req, ino, std::get<1>(t));
      } else if constexpr (Id == Op::read) {
        f.Read(req, ino, std::get<1>(t), std::get<2>(t), std::get<3>(t));
      } else if constexpr (Id == Op::release) {
        f.Release(req, ino, std::get<1>(t));
      } else if constexpr (Id == Op::access) {
        f.Access(req, ino, std::get<1>(t));
      } else if constexpr (Id == Op::forget) {
        fuse_reply_none(req);
      } else if constexpr (Id == Op::flush || Id == Op::fsync) {
        ReplyErrno(req, 0);
      } else if constexpr (Id == Op::getxattr) {
        ReplyErrno(req, ENODATA);
      } else if constexpr (Id == Op::listxattr) {
        if (std::get<1>(t) == 0) fuse_reply_xattr(req, 0);
        else fuse_reply_buf(req, nullptr, 0);
      } else if constexpr (Id == Op::opendir) {
        ReplyErrno(req, ENOTDIR);
      } else if constexpr (Id == Op::ioctl) {
        ReplyErrno(req, ENOTTY);
      } else {
        ReplyErrno(req, EPERM);
      }
      return true;
    }
  }
}

// ---- the wrappers -----------------------------------------------------------

template <Op Id, class... A>
struct Traced {
  static inline void (*orig)(fuse_req_t, A...) = nullptr;
  static void Call(fuse_req_t req, A... a) {
    Observer* o = gObserver;
    if (Intercept<Id>(req, a...)) return;
    if (!o->busy()) return orig(req, a...);
    o->Trace<Id>(orig, req, a...);
  }
};

template <Op Id, class... A>
void Wrap(void (*&slot)(fuse_req_t, A...)) {
  if (slot == nullptr) return;
  Traced<Id, A...>::orig = slot;
  slot = &Traced<Id, A...>::Call;
}

}  // namespace

template <Op Id, class... A>
void Observer::Trace(void (*fn)(fuse_req_t, A...), fuse_req_t req, A... a) {
  const bool logging = log_.active();
  fuse_ctx ctx{};
  std::string args;
  int64_t started = 0;
  if (logging) {  // before the call: the reply frees req
    started = NowMicros();
    ctx = *fuse_req_ctx(req);
    args = FormatArgs<Id>(std::forward_as_tuple(a...), std::index_sequence_for<A...>{});
  }
  OpRecord rec;
  tRecord = &rec;
  const auto t0 = std::chrono::steady_clock::now();
  fn(req, a...);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tRecord = nullptr;
  if (metrics_) {
    OpMetrics& m = ops_[static_cast<size_t>(Id)];
    m.duration->Observe(secs);
    if (rec.result < 0) m.errors->Add();
  }
  if (logging) {
    log_.Append(AccessLogLine(started, ctx.uid, ctx.gid, static_cast<uint32_t>(ctx.pid),
                              kOpNames[static_cast<size_t>(Id)], args, rec.result, rec.sized, secs));
  }
}

ObserverHandle InstallObserver(fuse_lowlevel_ops& ops, const FuseServerOptions& opts) {
  ObserverHandle h(new Observer(opts));
  gObserver = h.get();
#define SLICEFS_OP_WRAP(name) Wrap<Op::name>(ops.name);
  SLICEFS_FUSE_OPS(SLICEFS_OP_WRAP)
#undef SLICEFS_OP_WRAP
  return h;
}

void NoteReplyErr(int err) {
  if (tRecord != nullptr && err != 0) tRecord->result = -err;
}

void NoteReplySize(size_t n) {
  if (tRecord != nullptr) {
    tRecord->result = static_cast<int64_t>(n);
    tRecord->sized = true;
  }
}

std::string AccessLogLine(int64_t unixMicros, uint32_t uid, uint32_t gid, uint32_t pid, const char* op,
                          const std::string& args, int64_t result, bool sized, double seconds) {
  time_t secs = static_cast<time_t>(unixMicros / 1000000);
  tm t;
  localtime_r(&secs, &t);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d.%02d.%02d %02d:%02d:%02d.%06d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                t.tm_hour, t.tm_min, t.tm_sec, static_cast<int>(unixMicros % 1000000));
  std::string res;
  if (result < 0) {
    const char* name = strerrorname_np(static_cast<int>(-result));
    res = name ? name : "E" + std::to_string(-result);
  } else if (sized) {
    res = "OK (" + std::to_string(result) + ")";
  } else {
    res = "OK";
  }
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.6f", seconds);
  return std::string(ts) + " [uid:" + std::to_string(uid) + ",gid:" + std::to_string(gid) +
         ",pid:" + std::to_string(pid) + "] " + op + " (" + args + "): " + res + " <" + dur + ">";
}

}  // namespace slicefs::fusead
