// ObjectStore over a local directory (`--storage file`).
//
// Key "a/b/c" is the file ROOT/a/b/c. put() writes a temporary file under
// ROOT/.slicefs-tmp/, fsyncs it and renames it into place, so a reader sees
// a whole object or none; temporary files are never listed. list() walks the
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

  static constexpr const char* kTmpDir = ".slicefs-tmp";

 private:
  Status CheckKey(const std::string& key) const;
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }
  std::string root_;
};

}  // namespace slicefs
