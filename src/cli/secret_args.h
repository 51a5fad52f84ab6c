// Keeping metadata passwords out of process arguments (issue #14): `ps`,
// /proc/PID/cmdline and `pgrep -a` show every user the arguments of every
// process, so a META-URL typed with its password would hand it out.
//
// ScrubSecretArgs() rewrites, in the process's own argument area, each
// argument that is a URL with a password: the password becomes "****"
// (shorter passwords become as many '*'; a longer one leaves NUL padding,
// shown by ps as spaces). main() calls it once, right after copying the
// arguments for parsing, so a mount (and its background child, which is
// forked, not re-executed) shows only the redacted URL from then on. The
// password was visible between exec and this call; the environment variable
// META_PASSWORD (kv/open.cc) avoids even that.
//
// Not thread-safe: call before any thread starts.
#pragma once

namespace slicefs::cli {

// Returns how many arguments were rewritten.
int ScrubSecretArgs(int argc, char** argv);

}  // namespace slicefs::cli
