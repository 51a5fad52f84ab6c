// Open-file and open-directory handles of one Vfs, and the per-inode state
// shared by all handles of one inode on this client.
//
// Threading: HandleTable is thread-safe; a handle's own fields are guarded as
// documented on each struct. Handles are shared_ptrs so that a request still
// running when its handle is released keeps a valid object.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "meta/types.h"

namespace slicefs {

// State of one open inode, shared by its handles; lives while any is open.
struct InodeState {
  std::mutex mu;              // guards the fields below; serializes O_APPEND writes
  int opens = 0;              // guarded by HandleTable's mutex
  uint64_t length = 0;        // file length as this client knows it (includes own writes)
  int64_t dirtyMtimeNs = 0;   // time of the newest write not yet committed; 0 = none
  bool posixLocks = false;    // this client took fcntl locks on it (unlock on close)
};

struct FileHandle {
  Ino ino = 0;
  int flags = 0;                       // open(2) flags
  std::shared_ptr<InodeState> inode;
  std::atomic<bool> wrote{false};      // a write went through this handle
  std::atomic<bool> flocked{false};    // a flock was granted to this handle
  bool writable() const { return (flags & 3) != 0; }  // O_WRONLY or O_RDWR
  bool append() const;
};

// A directory stream: a snapshot of the listing built incrementally in name
// order, so that the kernel's offsets (index + 1) stay stable while the
// directory changes; offset 0 starts a fresh snapshot (rewinddir). Stream
// index 0 is ".", 1 is "..". Only a window of recent entries is kept, so a
// huge directory never sits whole in memory.
struct DirHandle {
  Ino ino = 0;
  std::mutex mu;                  // guards the fields below
  std::vector<DirEntry> entries;  // entries[i] is stream index base + i
  size_t base = 0;                // entries consumed long ago are dropped (bounded memory)
  std::string after;              // last name fetched from meta
  bool eof = false;
  bool loaded = false;            // "." and ".." are in entries
};

class HandleTable {
 public:
  uint64_t AddFile(Ino ino, int flags, uint64_t length);
  uint64_t AddDir(Ino ino);
  std::shared_ptr<FileHandle> File(uint64_t fh) const;
  std::shared_ptr<DirHandle> Dir(uint64_t fh) const;
  // Removes the handle; nullptr if unknown.
  std::shared_ptr<FileHandle> RemoveFile(uint64_t fh);
  bool RemoveDir(uint64_t fh);
  // The shared state of an open inode, nullptr when no handle is open.
  std::shared_ptr<InodeState> Inode(Ino ino) const;
  size_t Count() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<FileHandle>> files_;
  std::unordered_map<uint64_t, std::shared_ptr<DirHandle>> dirs_;
  std::unordered_map<Ino, std::shared_ptr<InodeState>> inodes_;
};

}  // namespace slicefs
