#include "fuse/kernel_notify.h"

#include <shared_mutex>
#include <string>

#include "fuse/fuse_internal.h"

namespace slicefs {
namespace {

std::shared_mutex gMu;
fuse_session* gSession = nullptr;  // guarded by gMu

}  // namespace

namespace fusead {
void SetNotifySession(fuse_session* se) {
  std::unique_lock lk(gMu);
  gSession = se;
}
void NotifyAttrsChanged(Ino ino) {
  std::shared_lock lk(gMu);
  if (gSession != nullptr) fuse_lowlevel_notify_inval_inode(gSession, ino, -1, 0);
}
}  // namespace fusead

control::KernelHooks FuseKernelHooks() {
  control::KernelHooks h;
  h.entryGone = [](Ino parent, std::string_view name, Ino child) {
    std::shared_lock lk(gMu);
    if (gSession == nullptr) return;
    std::string n(name);
    if (child != 0) {
      fuse_lowlevel_notify_delete(gSession, parent, child, n.c_str(), n.size());
    } else {
      fuse_lowlevel_notify_inval_entry(gSession, parent, n.c_str(), n.size());
    }
  };
  h.entryChanged = [](Ino parent, std::string_view name) {
    std::shared_lock lk(gMu);
    if (gSession == nullptr) return;
    std::string n(name);
    fuse_lowlevel_notify_inval_entry(gSession, parent, n.c_str(), n.size());
  };
  h.inodeChanged = [](Ino ino) {
    std::shared_lock lk(gMu);
    if (gSession == nullptr) return;
    fuse_lowlevel_notify_inval_inode(gSession, ino, 0, 0);
  };
  return h;
}

}  // namespace slicefs
