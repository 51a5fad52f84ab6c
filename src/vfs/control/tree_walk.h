// Helpers shared by the tree commands of the control channel (rmr, clone,
// compact, warmup): resolving a caller's path to (parent, name, entry), and
// walking a tree in name order with the caller's permissions.
//
// Threading: per call. Errors: the Meta call's (ENOENT, EACCES, ...), or
// ECANCELED when the client went away.
#pragma once

#include <functional>
#include <string>

#include "vfs/control/command.h"

namespace slicefs::control {

struct Located {
  Ino parent = 0;
  std::string name;  // empty for the volume root
  Entry entry;
};
// Resolves `volPath` without following a final symlink.
Result<Located> Locate(ControlCall& c, const std::string& volPath);

// Visits the tree below directory `dir` (not dir itself), parents before
// children, as c.ctx() (listing needs read permission). visit(parent,
// parentAttr, entry) returns false to skip descending into that directory.
Status WalkTree(ControlCall& c, Ino dir,
                const std::function<Result<bool>(Ino parent, const Attr& parentAttr, const DirEntry& e)>& visit);

// Calls fn for the regular file `l` names, or for every regular file below
// it when it is a directory (symlinks are not followed).
Status ForEachFile(ControlCall& c, const Located& l, const std::function<Status(Ino, const Attr&)>& fn);

// The slice blocks a file's data lives in, each once: (slice id, slice
// size, block index, block length).
struct FileBlock {
  uint64_t id;
  uint32_t size;
  uint32_t block;
  uint32_t len;
};
Result<std::vector<FileBlock>> FileBlocks(Vfs& vfs, Ino ino, const Attr& a);

// Runs tasks on `threads` threads with at most 4*threads queued (Submit
// blocks meanwhile); Wait() returns when all submitted tasks ran.
class TaskRunner {
 public:
  explicit TaskRunner(int threads);
  ~TaskRunner();
  void Submit(std::function<void()> task);
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON for a progress record.
nlohmann::json ProgressRecord(uint64_t count, uint64_t bytes = 0, uint64_t total = 0, const std::string& note = "");

}  // namespace slicefs::control
