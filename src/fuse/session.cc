// The FUSE session: options, INIT negotiation, the multithreaded loop, the
// readiness probe and unmount.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstring>
#include <thread>

#include "fuse/fuse_internal.h"
#include "fuse/op_trace.h"

namespace slicefs {
namespace fusead {
namespace {

void Init(void* userdata, fuse_conn_info* conn) {
  auto* fs = static_cast<FuseFs*>(userdata);
  conn->max_write = 1 << 20;  // 1 MiB writes (libfuse raises max_pages to match)
  if (conn->max_readahead < (1u << 20)) conn->max_readahead = std::min<unsigned>(1u << 20, conn->max_readahead * 8);
  // RELEASE is a background request, and the kernel runs only
  // max_background of them at once (12 by default) in FIFO order. Processes
  // that open and close a file in a loop (lock-file contenders) can queue
  // releases faster than 12 at a time drain, and then the release that drops
  // a flock waits behind all of them. Releases of handles that hold no lock
  // cost no metadata round trip, so let many run at once.
  if (conn->max_background < 256) conn->max_background = 256;
  if (conn->congestion_threshold < 192) conn->congestion_threshold = 192;
  auto want = [&](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  want(FUSE_CAP_POSIX_LOCKS);
  want(FUSE_CAP_FLOCK_LOCKS);
  want(FUSE_CAP_READDIRPLUS);
  want(FUSE_CAP_ATOMIC_O_TRUNC);
  want(FUSE_CAP_CACHE_SYMLINKS);
  want(FUSE_CAP_PARALLEL_DIROPS);
  want(FUSE_CAP_AUTO_INVAL_DATA);
  want(FUSE_CAP_ASYNC_READ);
  want(FUSE_CAP_IOCTL_DIR);  // chattr/lsattr on directories (ioctl_ops.cc)
  // Always readdirplus: Meta fills attributes of a batch cheaply.
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  // The kernel clears suid/sgid on write/truncate/chown itself (via setattr).
  conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
  // Writes go through this process (close-to-open needs flush on close).
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // POSIX ACLs (docs/architecture.md, "POSIX ACLs"): the kernel checks
  // permissions with the ACL xattrs it reads from us (and forgets them with
  // the attributes, every attr timeout), and leaves the umask to us so a
  // parent's default ACL can replace it.
  if (fs->vfs->format().enableAcl) {
    want(FUSE_CAP_POSIX_ACL);
    want(FUSE_CAP_DONT_MASK);
    if (!(conn->want & FUSE_CAP_POSIX_ACL)) spdlog::warn("fuse init: the kernel does not offer POSIX ACLs; only slicefs checks them");
  }
  spdlog::info("fuse init: proto {}.{}, max_write {}, max_readahead {}", conn->proto_major,
               conn->proto_minor, conn->max_write, conn->max_readahead);
}

}  // namespace
}  // namespace fusead

Status ServeFuse(Vfs* vfs, const FuseServerOptions& opts) {
  using namespace fusead;
  FuseFs fs;
  fs.vfs = vfs;
  fs.opts = opts;

  fuse_lowlevel_ops ops;
  std::memset(&ops, 0, sizeof(ops));
  ops.init = Init;
  AddEntryOps(ops);
  AddFileOps(ops);
  AddDirOps(ops);
  AddXattrOps(ops);
  AddLockOps(ops);
  AddIoctlOps(ops);
  ObserverHandle observer = InstallObserver(ops, opts);  // metrics, .accesslog, internal files: last

  std::vector<std::string> args = {"slicefs"};
  if (opts.debug) args.push_back("-d");
  std::string o = std::string(opts.kernelPermissions ? "default_permissions," : "") + "subtype=slicefs,fsname=" +
                  (opts.fsname.empty() ? std::string("slicefs") : opts.fsname);
  if (opts.readOnly) o += ",ro";
  for (auto& extra : opts.options) o += "," + extra;
  args.push_back("-o");
  args.push_back(o);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());

  auto fail = [&](const Status& st) {
    if (opts.onReady) opts.onReady(st);
    return st;
  };
  fuse_session* se = fuse_session_new(&fargs, &ops, sizeof(ops), &fs);
  if (se == nullptr) return fail(Status::Error(EINVAL, "invalid FUSE options: " + o));
  fs.se = se;
  if (fuse_set_signal_handlers(se) != 0) {
    fuse_session_destroy(se);
    return fail(Status::Error(EIO, "cannot install signal handlers"));
  }
  if (fuse_session_mount(se, opts.mountpoint.c_str()) != 0) {
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return fail(Status::Error(EIO, "cannot mount at " + opts.mountpoint +
                                       " (is /dev/fuse available and the mountpoint usable?)"));
  }
  // Readiness: the mount is usable once a stat of its root is answered,
  // which happens as soon as the loop below serves requests.
  std::thread probe([&] {
    struct stat st;
    Status r;
    if (::stat(opts.mountpoint.c_str(), &st) != 0) {
      r = Status::Error(errno, std::string("mount does not answer: ") + std::strerror(errno));
    } else if (st.st_ino != kRootIno) {
      r = Status::Error(EIO, "mountpoint does not show the volume root");
    }
    if (!r.ok()) fuse_session_exit(se);
    if (opts.onReady) opts.onReady(r);
  });

  SetNotifySession(se);
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(cfg, 0);
  fuse_loop_cfg_set_idle_threads(cfg, 16);
  fuse_loop_cfg_set_max_threads(cfg, opts.maxThreads);
  int rc = fuse_session_loop_mt(se, cfg);
  fuse_loop_cfg_destroy(cfg);
  spdlog::info("fuse loop ended ({}), unmounting {}", rc, opts.mountpoint);
  SetNotifySession(nullptr);
  fuse_session_unmount(se);
  probe.join();
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return Status::OK();
}

}  // namespace slicefs
