// slicefs mount [-d] META-URL MOUNTPOINT: serve a volume through FUSE.
//
// With -d the command forks; the child opens the volume, registers its
// session, mounts and, once the mount answers a stat, tells the parent
// through a pipe ("OK <pid>" or "ERR <reason>"). The parent returns 0 only
// then, or prints the one-line reason and exits 1.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/control_server.h"
#include "fuse/kernel_notify.h"
#include "cli/metrics_server.h"
#include "cli/mount_access.h"
#include "cli/mount_util.h"
#include "cli/serve_common.h"
#include "fuse/fuse_server.h"
#include "common/paths.h"
#include "common/size.h"
#include "common/url.h"
#include "common/version.h"
#include "vfs/backup.h"
#include "vfs/volume.h"
#include "vfs/writeback_record.h"

namespace slicefs::cli {
namespace {

struct MountArgs {
  std::string metaUrl;
  std::string mountpoint;
  bool background = false;
  std::string cacheDir;
  std::string cacheSize;  // empty: 10G, and no disk cache for `file` storage
  std::string bufferSize = "300M";
  int maxUploads = 20;
  bool readOnly = false;
  std::string logFile;
  std::string logLevel = "info";
  double entryCache = 1.0;
  double attrCache = 1.0;
  double dirEntryCache = 1.0;
  int heartbeat = 12;
  std::vector<std::string> fuseOptions;
  bool fuseDebug = false;
  std::string backupMeta = "1h";
  std::string metrics = "127.0.0.1:9567";
  bool noMetrics = false;
  // --writeback (cli/mount.cc "writeback" blocks; object/writeback_store.h)
  bool writeback = false;
  std::string uploadDelay = "0";
  std::string writebackSize = "1G";
  int leftoverWaitSec = 60;
  double negativeEntryCache = 0.0;
  MountAccessArgs access;  // allow_other default, squash, umask (cli/mount_access.h)
  CallerMap callers;       // built from `access` in Run()
};

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += n;
  }
}

// The mount's effective options for its .config file, secrets removed (the
// metadata URL's password, the storage's secret key and session token).
std::string EffectiveConfig(const MountArgs& a, const VolumeFormat& f, const std::string& metricsAddr) {
  nlohmann::ordered_json j;
  j["version"] = kVersion;
  j["pid"] = getpid();
  j["meta_url"] = RedactedUrl(a.metaUrl);
  j["mountpoint"] = a.mountpoint;
  j["background"] = a.background;
  j["read_only"] = a.readOnly;
  j["cache_dir"] = a.cacheDir;
  j["cache_size"] = a.cacheSize.empty() ? "10G" : a.cacheSize;
  j["buffer_size"] = a.bufferSize;
  j["max_uploads"] = a.maxUploads;
  j["log"] = a.logFile;
  j["log_level"] = a.logLevel;
  j["entry_cache"] = a.entryCache;
  j["attr_cache"] = a.attrCache;
  j["dir_entry_cache"] = a.dirEntryCache;
  j["negative_entry_cache"] = a.negativeEntryCache;
  j["heartbeat"] = a.heartbeat;
  j["fuse_options"] = a.fuseOptions;
  j["backup_meta"] = a.backupMeta;
  j["writeback"] = a.writeback;
  j["upload_delay"] = a.uploadDelay;
  j["writeback_size"] = a.writebackSize;
  j["metrics"] = metricsAddr;  // empty with --no-metrics
  j["root_squash"] = a.access.rootSquash;
  j["all_squash"] = a.access.allSquash;
  j["umask"] = a.access.umask;
  j["format"] = nlohmann::ordered_json::parse(f.ToJson(/*redactSecrets=*/true));
  return j.dump(2) + "\n";
}

// Runs the mount in this process. readyFd >= 0: report readiness there.
// Returns the process exit code.
int Serve(const MountArgs& a, int readyFd) {
  std::atomic<bool> reported{false};
  auto report = [&](const Status& st) {
    if (reported.exchange(true)) return;
    if (readyFd >= 0) {
      WriteAll(readyFd, st.ok() ? "OK " + std::to_string(getpid()) + "\n" : "ERR " + st.message() + "\n");
      ::close(readyFd);
      if (st.ok()) {
        // Detach from the terminal now that the parent has its answer.
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
          dup2(devnull, 0);
          dup2(devnull, 1);
          dup2(devnull, 2);
          if (devnull > 2) ::close(devnull);
        }
      }
    } else if (!st.ok()) {
      std::fprintf(stderr, "slicefs mount: %s\n", st.message().c_str());
    } else {
      std::fprintf(stderr, "slicefs: mounted at %s (pid %d); Ctrl-C or `slicefs umount %s` to stop\n",
                   a.mountpoint.c_str(), getpid(), a.mountpoint.c_str());
    }
  };

  auto backupEvery = ParseBackupInterval(a.backupMeta);
  if (!backupEvery) {
    report(backupEvery.error());
    return 1;
  }
  VolumeOptions vo;
  vo.readOnly = a.readOnly;
  vo.meta.heartbeatSec = a.heartbeat;
  vo.data.maxUploads = a.maxUploads;
  auto buf = ParseSize(a.bufferSize, kMiB, "buffer size");
  auto csz = ParseSize(a.cacheSize.empty() ? "10G" : a.cacheSize, kMiB, "cache size");
  if (!buf || !csz) {
    report(!buf ? buf.error() : csz.error());
    return 1;
  }
  vo.data.bufferSize = *buf;
  vo.data.cacheSize = *csz;
  vo.data.cacheDir = a.cacheDir;
  vo.cacheLocalStorage = !a.cacheSize.empty();
  // ---- writeback: staging options ----
  if (a.writeback && !a.readOnly) {
    auto delay = ParseBackupInterval(a.uploadDelay);
    auto limit = ParseSize(a.writebackSize, kMiB, "writeback size");
    if (!delay || !limit) {
      report(!delay ? Status::Invalid("invalid --upload-delay '" + a.uploadDelay + "' (expected e.g. 0, 30s, 5m, 1h)")
                    : limit.error());
      return 1;
    }
    WritebackOptions wo;
    wo.limitBytes = *limit;
    wo.uploads = a.maxUploads;
    wo.uploadDelay = std::chrono::duration_cast<std::chrono::milliseconds>(*delay);
    vo.writeback = true;
    vo.writebackOpts = wo;
  }
  auto vol = Volume::Open(a.metaUrl, vo);
  if (!vol) {
    report(vol.error());
    return 1;
  }
  Vfs& vfs = (*vol)->vfs();
  vfs.SetOwnerUid(getuid());
  vfs.SetCallerMap(a.callers);
  // The data-layer series read the volume: unregistered (on every return)
  // before it goes, and after the server that exports them has stopped.
  struct DataMetrics {
    bool on = false;
    ~DataMetrics() {
      if (on) UnregisterDataMetrics();
    }
  } dataMetrics;
  std::unique_ptr<MetricsServer> metrics;
  // .stats shows the data-layer and process figures with or without --metrics.
  RegisterProcessMetrics();
  RegisterDataMetrics(vfs);
  dataMetrics.on = true;
  if (!a.noMetrics) {
    auto ms = MetricsServer::Start(a.metrics, {{"vol_name", (*vol)->format().name}, {"mp", a.mountpoint}});
    if (!ms) {
      report(ms.error());
      return 1;
    }
    metrics = std::move(*ms);
    spdlog::info("metrics at http://{}/metrics", metrics->address());
  }
  SessionInfo si{Hostname(), a.mountpoint, static_cast<uint32_t>(getpid()), kVersion};
  Status st = vfs.meta().NewSession(si);
  if (!st.ok() && !(a.readOnly && st.is(EROFS))) {
    report(st.WithContext("registering session"));
    return 1;
  }
  // ---- writeback: leftovers first, then the record other clients read ----
  std::unique_ptr<WritebackReporter> wbReporter;
  struct WritebackMetrics {
    bool on = false;
    void Off() {
      if (!on) return;
      on = false;
      for (const char* n : {"slicefs_writeback_pending_blocks", "slicefs_writeback_pending_bytes",
                            "slicefs_writeback_uploaded_total", "slicefs_writeback_upload_errors_total"}) {
        MetricsRegistry::Global().removeFn(n, {});
      }
    }
    ~WritebackMetrics() { Off(); }
  } wbMetrics;
  if (WritebackStore* wb = (*vol)->writeback()) {
    wbReporter = std::make_unique<WritebackReporter>(vfs.meta().kv(), *wb, (*vol)->format(),
                                                     vfs.meta().sessionId(), Hostname(), std::chrono::seconds(2));
    auto& r = MetricsRegistry::Global();
    r.gaugeFn("slicefs_writeback_pending_blocks", "Blocks staged by --writeback, not yet uploaded", {},
              [wb] { return double(wb->Stats().pendingBlocks); });
    r.gaugeFn("slicefs_writeback_pending_bytes", "Bytes staged by --writeback, not yet uploaded", {},
              [wb] { return double(wb->Stats().pendingBytes); });
    r.counterFn("slicefs_writeback_uploaded_total", "Staged blocks uploaded", {},
                [wb] { return double(wb->Stats().uploaded); });
    r.counterFn("slicefs_writeback_upload_errors_total", "Failed upload attempts of staged blocks (retried)", {},
                [wb] { return double(wb->Stats().uploadErrors); });
    wbMetrics.on = true;
    // Blocks an earlier mount staged in this cache directory go up before
    // this mount serves (they are read from the staging directory meanwhile,
    // so a store that stays down only delays the mount by the wait).
    if (wb->Stats().leftovers > 0) {
      Status lw = wb->WaitForLeftovers(std::chrono::seconds(a.leftoverWaitSec));
      if (!lw.ok()) spdlog::warn("writeback: {}; serving anyway, they keep uploading first", lw.message());
    }
  }
  // Metadata backups go to {volume}/meta/ as they are (not block-compressed).
  std::unique_ptr<ObjectStore> backupStore;
  std::unique_ptr<MetaBackup> backup;
  if (!a.readOnly && backupEvery->count() > 0) {
    auto bs = Volume::OpenStorage((*vol)->format(), /*plain=*/true);
    if (!bs) {
      spdlog::warn("metadata backups disabled: {}", bs.error().ToString());
    } else {
      std::error_code ec;
      std::filesystem::create_directories(a.cacheDir, ec);
      backupStore = std::move(*bs);
      backup = std::make_unique<MetaBackup>(vfs.meta().kv(), *backupStore, (*vol)->format().name, *backupEvery,
                                            a.cacheDir);
      backup->Start();
    }
  }
  // The control channel (rmr, clone, compact, warmup, ...): a mount without
  // it still serves files, the tools then say it cannot be reached.
  std::unique_ptr<ControlServer> control;
  if (auto cs = ControlServer::Start(vfs, a.mountpoint, FuseKernelHooks()); !cs) {
    spdlog::warn("control channel disabled: {}", cs.error().ToString());
  } else {
    control = std::move(*cs);
    vfs.SetControlSocket(control->path());
    spdlog::info("control channel at {}", control->path());
  }
  FuseServerOptions fo;
  fo.mountpoint = a.mountpoint;
  fo.entryTimeout = a.entryCache;
  fo.attrTimeout = a.attrCache;
  fo.dirEntryTimeout = a.dirEntryCache;
  fo.negativeEntryTimeout = a.negativeEntryCache;
  fo.readOnly = a.readOnly;
  fo.debug = a.fuseDebug;
  fo.fsname = "slicefs:" + (*vol)->format().name;
  for (auto& o : a.fuseOptions) fo.options.push_back(o);
  fo.onReady = report;
  fo.opMetrics = !a.noMetrics;
  fo.kernelPermissions = !a.callers.allSquash;  // all-squash: only the squash user's permissions count
  fo.configJson = EffectiveConfig(a, (*vol)->format(), metrics ? metrics->address() : "");
  Status served = ServeFuse(&vfs, fo);
  report(served);  // no-op if readiness was already reported
  if (!served.ok()) spdlog::error("mount at {} ended: {}", a.mountpoint, served.ToString());
  spdlog::info("unmounted {}; flushing", a.mountpoint);
  control.reset();
  backup.reset();
  Status fl = vfs.FlushAll();
  if (!fl.ok()) spdlog::error("flush at exit: {}", fl.ToString());
  if (WritebackStore* wb = (*vol)->writeback()) {
    // ---- writeback: upload what is staged, bounded; the rest stays staged ----
    const auto left = wb->Stats();
    if (left.pendingBlocks > 0) spdlog::info("writeback: uploading {} staged blocks before exit", left.pendingBlocks);
    Status dr = wb->Drain(std::chrono::seconds(a.leftoverWaitSec));
    if (!dr.ok()) spdlog::warn("writeback: {}", dr.message());
    wbReporter.reset();  // publishes the final record (deleted when nothing is left)
  }
  wbMetrics.Off();
  Status cs = vfs.meta().CloseSession();
  if (!cs.ok()) spdlog::warn("closing session: {}", cs.ToString());
  metrics.reset();
  if (dataMetrics.on) UnregisterDataMetrics();
  dataMetrics.on = false;
  vol->reset();
  spdlog::info("mount process exiting");
  return served.ok() && fl.ok() ? 0 : 1;
}

// The background process runs in "/", so relative paths are resolved first.
std::string Absolute(const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

void Run(MountArgs a) {
  auto mp = CheckMountpoint(a.mountpoint);
  if (!mp) throw CommandError(mp.error().message());
  a.mountpoint = *mp;
  a.logFile = Absolute(a.logFile);
  a.cacheDir = Absolute(a.cacheDir);
  const std::string sqlite = "sqlite3://";
  if (a.metaUrl.rfind(sqlite, 0) == 0 && a.metaUrl.size() > sqlite.size() &&
      a.metaUrl[sqlite.size()] != '/') {
    a.metaUrl = sqlite + Absolute(a.metaUrl.substr(sqlite.size()));
  }
  if (a.cacheDir.empty()) a.cacheDir = DefaultCacheDir();
  auto callers = BuildCallerMap(a.access);
  if (!callers) throw CommandError(callers.error().message());
  a.callers = *callers;
  if (auto warn = ApplyAllowOther(a.access, &a.fuseOptions, geteuid() == 0); !warn.empty()) {
    std::fprintf(stderr, "slicefs mount: warning: %s\n", warn.c_str());
  }
  if (!a.background) {
    SetupLogging(a.logFile, a.logLevel);
    int rc = Serve(a, -1);
    if (rc != 0) throw CommandError("mount ended with errors", rc);
    return;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw CommandError("pipe failed");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw CommandError(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    setsid();
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (chdir("/") != 0) {
    }
    try {
      SetupLogging(a.logFile, a.logLevel);
    } catch (const CommandError& e) {
      WriteAll(fds[1], std::string("ERR ") + e.what() + "\n");
      _exit(1);
    }
    int rc = Serve(a, fds[1]);
    std::fflush(nullptr);
    _exit(rc);
  }
  ::close(fds[1]);
  std::string msg;
  char b[512];
  while (true) {
    ssize_t n = ::read(fds[0], b, sizeof(b));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    msg.append(b, n);
  }
  ::close(fds[0]);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
  if (msg.rfind("OK ", 0) == 0) {
    std::printf("slicefs: mounted at %s (pid %s)\n", a.mountpoint.c_str(), msg.substr(3).c_str());
    return;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (msg.rfind("ERR ", 0) == 0) throw CommandError(msg.substr(4));
  throw CommandError("mount process exited before the mount was ready" +
                     (a.logFile.empty() ? std::string() : " (see " + a.logFile + ")"));
}

void Setup(CLI::App& app) {
  auto a = std::make_shared<MountArgs>();
  auto* c = app.add_subcommand("mount", "mount a volume (META-URL MOUNTPOINT)");
  c->add_option("META-URL", a->metaUrl, "metadata engine URL, e.g. sqlite3:///path/vol.db")->required();
  c->add_option("MOUNTPOINT", a->mountpoint, "an existing empty directory")->required();
  c->add_flag("-d,--background", a->background, "run in the background; return once the mount is usable");
  c->add_option("--cache-dir", a->cacheDir, "disk cache directory (default ~/.slicefs/cache)");
  c->add_option("--cache-size", a->cacheSize,
                "disk cache limit (a plain number is MiB; or 512K, 10G, 10GiB); default 10G, and none for `file` storage unless given");
  c->add_option("--buffer-size", a->bufferSize, "write buffer limit (MiB, or with K/M/G/T)")->capture_default_str();
  c->add_option("--max-uploads", a->maxUploads, "concurrent block uploads")->capture_default_str()->check(CLI::Range(1, 1000));
  c->add_flag("--read-only", a->readOnly, "mount read-only");
  c->add_option("--log", a->logFile,
                "log file, rotated at 64 MiB, 4 files kept (background mounts log nowhere without it)");
  c->add_option("--log-level", a->logLevel, "trace, debug, info, warn, error or off")->capture_default_str();
  c->add_option("--entry-cache", a->entryCache, "kernel cache of file names, seconds")->capture_default_str()->check(CLI::NonNegativeNumber);
  c->add_option("--attr-cache", a->attrCache, "kernel cache of attributes, seconds")->capture_default_str()->check(CLI::NonNegativeNumber);
  c->add_option("--dir-entry-cache", a->dirEntryCache, "kernel cache of directory names, seconds")->capture_default_str()->check(CLI::NonNegativeNumber);
  c->add_option("--negative-entry-cache", a->negativeEntryCache,
                "kernel cache of names that do not exist, seconds (0: off)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--heartbeat", a->heartbeat, "session heartbeat, seconds")->capture_default_str()->check(CLI::Range(1, 3600));
  c->add_option("-o", a->fuseOptions, "FUSE mount options, e.g. -o allow_other (repeatable, comma-separated)")->delimiter(',');
  c->add_flag("--fuse-debug", a->fuseDebug, "trace every FUSE request to stderr (foreground)");
  c->add_option("--backup-meta", a->backupMeta,
                "interval of automatic metadata backups into {volume}/meta/ (e.g. 1h, 30m, 10s; 0: off)")
      ->capture_default_str();
  c->add_option("--metrics", a->metrics,
                "serve Prometheus metrics at http://ADDR/metrics (a taken port moves to the next free one)")
      ->capture_default_str();
  c->add_flag("--no-metrics", a->noMetrics, "do not serve metrics");
  c->add_flag("--writeback", a->writeback,
              "stage written blocks durably in the cache directory and upload them in the background");
  c->add_option("--upload-delay", a->uploadDelay,
                "with --writeback: wait this long before uploading a block (files deleted sooner are never uploaded)")
      ->capture_default_str();
  c->add_option("--writeback-size", a->writebackSize,
                "with --writeback: staged bytes before writes wait for uploads (MiB, or with K/M/G/T)")
      ->capture_default_str();
  c->add_option("--writeback-wait", a->leftoverWaitSec,
                "with --writeback: seconds to wait at mount for blocks an earlier mount left staged, and at unmount for pending uploads")
      ->capture_default_str()->check(CLI::Range(0, 86400));
  c->add_flag("--no-allow-other", a->access.noAllowOther,
              "do not add -o allow_other (added by default for root, and for others when /etc/fuse.conf has user_allow_other)");
  c->add_option("--root-squash", a->access.rootSquash, "map root (uid 0) to UID:GID for every check and new file");
  c->add_option("--all-squash", a->access.allSquash, "map every user to UID:GID for every check and new file");
  c->add_option("--umask", a->access.umask, "octal bits removed from every new file's and directory's mode, besides the caller's umask");
  c->callback([a] { Run(*a); });
}

}  // namespace

REGISTER_COMMAND("mount", Setup);

}  // namespace slicefs::cli
