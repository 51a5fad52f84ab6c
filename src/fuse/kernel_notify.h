// Kernel cache invalidation for changes this mount process makes behind the
// kernel's back (control commands: rmr, clone, restore into a mounted
// volume): fuse_lowlevel_notify_delete / inval_entry / inval_inode on the
// session being served. Without a served session the hooks do nothing.
//
// Threading: the hooks may be called from any thread except a FUSE worker
// handling a request on the same directory (the kernel would wait for it).
#pragma once

#include "vfs/control/command.h"

namespace slicefs {

control::KernelHooks FuseKernelHooks();

}  // namespace slicefs
