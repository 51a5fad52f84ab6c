// Inode flags (chattr +i / +a, Attr::flags): the checks every metadata
// operation applies, with Linux's errno (EPERM) and order. Pure functions
// of attributes; the callers run them inside their transactions, so every
// client of a volume enforces the flags another client set.
//   immutable: no write/truncate/fallocate, no chmod/chown/utimes, no
//     xattr change, no rename/unlink/link of it, no entry created in or
//     removed from it (a directory); opening for write fails.
//     (The write-permission part is in MetaImpl::CheckAccess: W_OK on an
//     immutable inode is EPERM, as in Linux's inode_permission.)
//   append-only: opened for write only with O_APPEND and without O_TRUNC;
//     no truncate, no fallocate other than plain/keep-size, no chmod/chown/
//     explicit times, no xattr change, no rename/unlink/link of it; entries
//     may be added to an append-only directory but not removed.
#pragma once

#include "common/status.h"
#include "meta/types.h"

namespace slicefs {

// EPERM if a is immutable or append-only (chmod, chown, explicit times,
// xattr changes, link, truncate).
Status CheckNotFlagged(const Attr& a, const char* what);
// EPERM if removing/renaming `child` out of `dir` is forbidden by flags
// (dir append-only; child immutable or append-only).
Status CheckFlagsAllowDelete(const Attr& dir, const Attr& child);
// EPERM for opening an append-only file for write without O_APPEND or with
// O_TRUNC.
Status CheckFlagsAllowOpen(const Attr& a, int openFlags);
// Setting flags to `want`: EOPNOTSUPP for bits other than kAttrFlagsKnown;
// EPERM unless ctx is root (CAP_LINUX_IMMUTABLE) when i/a change.
Status CheckSetFlags(const Ctx& ctx, const Attr& a, uint32_t want);

}  // namespace slicefs
