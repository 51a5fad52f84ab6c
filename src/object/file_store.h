// ObjectStore over a local directory (`--storage file`).
//
// Key "a/b/c" is the file ROOT/a/b/c. put() writes a temporary file under
// ROOT/.slicefs-tmp/ and renames it into place, so a reader sees a whole
// object or none; temporary files are never listed. Durability: a block
// object (a key with a "/chunks/" component) is not fsynced at put; sync()
// (syncfs of the bucket's file system) makes every put so far durable, and
// the vfs calls it on fsync/fdatasync/O_SYNC/O_DSYNC. Every other key (the
// volume UUID, metadata backups) is fsynced before put returns. A block
// that a machine crash left short or empty reads as EIO (its key says its
// length) and fsck reports it. list() walks the
// tree in key order (a directory sorts as "name/"), skipping subtrees that lie
// wholly before `startAfter`. Thread-safe (the file system does the locking).
#pragma once

#include "object/object_store.h"

namespace slicefs {

class FileStore : public ObjectStore {
 public:
  explicit FileStore(std::string root);

  std::string describe() const override { return "file://" + root_; }
  Status put(const std::string& key, std::span<const char> data) override;
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override;
  Status del(const std::string& key) override;
  Result<ObjectInfo> head(const std::string& key) override;
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override;
  Status create() override;
  Status sync() override;

  static constexpr const char* kTmpDir = ".slicefs-tmp";

 private:
  Status CheckKey(const std::string& key) const;
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }
  std::string root_;
};

}  // namespace slicefs
