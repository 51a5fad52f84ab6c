// CallerMap: how a mount maps the credentials of the process making a
// request before any permission check or ownership decision (mount
// --root-squash UID:GID, --all-squash UID:GID, --umask). Applied in one
// place per entry point: where a FUSE request's context becomes a Ctx
// (fuse/common.cc MakeCtx) and where a control-channel peer's SO_PEERCRED
// does (cli/control_server.cc). Files created by a squashed caller are owned
// by the squash ids, since the Ctx carries them.
//
// Immutable after the mount starts; thread-safe to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/types.h"

namespace slicefs {

struct SquashIds {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct CallerMap {
  std::optional<SquashIds> rootSquash;  // uid 0 becomes these ids
  std::optional<SquashIds> allSquash;   // every caller becomes these ids (wins over rootSquash)
  uint32_t umask = 0;                   // removed from every new file's and directory's mode

  bool empty() const { return !rootSquash && !allSquash && umask == 0; }
  // The credentials checks and new inodes use. A squashed caller has no
  // supplementary groups (only the squash gid).
  Ctx Apply(Ctx ctx) const;
  // The umask of a create/mkdir/mknod: the caller's plus the mount's.
  uint32_t ApplyUmask(uint32_t callerUmask) const { return (callerUmask | umask) & 0777; }
};

// "UID:GID" (decimal) -> ids; EINVAL with a one-line reason naming `flag`.
Result<SquashIds> ParseSquashIds(std::string_view text, std::string_view flag);
// Octal umask "022" / "0027" -> bits; EINVAL when not octal or above 0777.
Result<uint32_t> ParseUmask(std::string_view text);

}  // namespace slicefs
