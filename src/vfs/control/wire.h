// The control channel's framing, shared by the mount (server) and the CLI
// tools (client): each message is a 4-byte big-endian length followed by that
// many bytes of JSON (nlohmann). A request is {"cmd": NAME, "args": {...}};
// the answer is zero or more {"progress": {...}} frames, then one final
// {"errno": N, "message": "...", "result": {...}} frame (docs/architecture.md,
// "Control channel").
//
// Threading: plain functions on a file descriptor; one reader and one writer
// per descriptor at a time. Errors: EIO for a broken or closed connection,
// EMSGSIZE for a frame over maxBytes, EINVAL for text that is not JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>

#include "common/status.h"

namespace slicefs::control {

inline constexpr size_t kMaxRequestBytes = 64 << 10;   // what the mount accepts
inline constexpr size_t kMaxResponseBytes = 16 << 20;  // what a client accepts

// Writes one frame (MSG_NOSIGNAL: a closed peer gives EIO, not SIGPIPE).
Status WriteFrame(int fd, const nlohmann::json& msg);
// Reads one frame; ENODATA when the peer closed before a new frame began.
Result<nlohmann::json> ReadFrame(int fd, size_t maxBytes);

}  // namespace slicefs::control
