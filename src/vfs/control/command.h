// Commands the mount serves over its control channel (docs/architecture.md,
// "Control channel"): `slicefs rmr`, `clone`, `compact`, `warmup`, ... run
// inside the mount process, on its Vfs, as the credentials of the process
// that connected (SO_PEERCRED), and stream progress back.
//
// Adding a command: write src/vfs/control/cmd_NAME.cc defining
// `void RegisterNAME(ControlRegistry& r)` that calls r.Add("NAME", handler),
// declare it at the bottom of this header and call it from commands.cc
// (one line). The CLI side calls it with cli::CallMount (cli/control_client.h).
//
// Threading: a handler runs on its own thread (one per connection, at most
// ControlRegistry::kMaxConcurrent at once); the Vfs is thread-safe. A
// ControlCall is used by that one thread only.
// Errors: a handler returns errno-style Status; it is sent as the final
// frame's errno and message.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/types.h"
#include "vfs/path_fs.h"
#include "vfs/vfs.h"

namespace slicefs::control {

// What the mount can tell the kernel about changes made behind its back
// (the FUSE adapter fills these; no-ops when unset).
struct KernelHooks {
  // `name` in `parent` is gone (child: the inode it named, 0 if unknown).
  std::function<void(Ino parent, std::string_view name, Ino child)> entryGone;
  // `name` in `parent` now exists or names another inode (drops a cached
  // negative or stale dentry).
  std::function<void(Ino parent, std::string_view name)> entryChanged;
  // Cached data and attributes of ino are stale.
  std::function<void(Ino ino)> inodeChanged;
};

class ControlCall {
 public:
  using Sender = std::function<bool(const nlohmann::json&)>;
  using CancelCheck = std::function<bool()>;
  ControlCall(Vfs& vfs, const KernelHooks& hooks, std::string mountpoint, Ctx ctx, nlohmann::json args,
              Sender send, CancelCheck cancelled)
      : vfs_(vfs), hooks_(hooks), mountpoint_(std::move(mountpoint)), fs_(vfs, ctx, 0),
        args_(std::move(args)), send_(std::move(send)), cancelled_(std::move(cancelled)) {}

  Vfs& vfs() { return vfs_; }
  const KernelHooks& hooks() const { return hooks_; }
  const Ctx& ctx() const { return fs_.ctx(); }
  PathFs& fs() { return fs_; }
  const nlohmann::json& args() const { return args_; }

  // A path as the client sees it (absolute, normalized by the client) to a
  // path inside the volume: EXDEV for a path outside this mount.
  Result<std::string> VolumePath(const std::string& clientPath) const;
  // Every string of args[key] as volume paths (EINVAL if missing/not strings).
  Result<std::vector<std::string>> VolumePaths(const std::string& key) const;

  // Sends a progress record, at most every 200 ms unless force.
  void Progress(const nlohmann::json& p, bool force = false);
  // True once the client went away (its socket closed): stop the work.
  bool Cancelled();

 private:
  Vfs& vfs_;
  const KernelHooks& hooks_;
  std::string mountpoint_;
  PathFs fs_;
  nlohmann::json args_;
  Sender send_;
  CancelCheck cancelled_;
  bool gone_ = false;
  std::chrono::steady_clock::time_point lastProgress_{};
  std::chrono::steady_clock::time_point lastCheck_{};
};

using ControlHandler = std::function<Result<nlohmann::json>(ControlCall&)>;

class ControlRegistry {
 public:
  static constexpr int kMaxConcurrent = 8;  // requests running at once per mount
  void Add(std::string name, ControlHandler h) { handlers_[std::move(name)] = std::move(h); }
  const ControlHandler* Find(const std::string& name) const {
    auto it = handlers_.find(name);
    return it == handlers_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, ControlHandler> handlers_;
};

// Every command of this folder (commands.cc).
const ControlRegistry& BuiltinCommands();

// ---- the commands (one file each) ----
void RegisterRmr(ControlRegistry& r);      // cmd_rmr.cc
void RegisterClone(ControlRegistry& r);    // cmd_clone.cc
void RegisterCompact(ControlRegistry& r);  // cmd_compact.cc
void RegisterWarmup(ControlRegistry& r);   // cmd_warmup.cc
void RegisterSummary(ControlRegistry& r);  // cmd_summary.cc
void RegisterInfo(ControlRegistry& r);     // cmd_info.cc
void RegisterMetaUrl(ControlRegistry& r);  // cmd_meta_url.cc

}  // namespace slicefs::control
