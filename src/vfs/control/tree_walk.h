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

// JSON for a progress record.
nlohmann::json ProgressRecord(uint64_t count, uint64_t bytes = 0, uint64_t total = 0, const std::string& note = "");

}  // namespace slicefs::control
