// A base for ObjectStore decorators (as LevelDB's EnvWrapper): forwards every
// call to an inner store, so a wrapper overrides only what it changes. The
// inner store is owned (unique_ptr) or borrowed (raw pointer, must outlive
// the wrapper). Thread-safe if the inner store is.
#pragma once

#include <memory>

#include "object/object_store.h"

namespace slicefs {

class ObjectStoreWrapper : public ObjectStore {
 public:
  explicit ObjectStoreWrapper(std::unique_ptr<ObjectStore> inner) : owned_(std::move(inner)), inner_(owned_.get()) {}
  explicit ObjectStoreWrapper(ObjectStore* inner) : inner_(inner) {}

  std::string describe() const override { return inner_->describe(); }
  Status put(const std::string& key, std::span<const char> data) override { return inner_->put(key, data); }
  Result<std::string> get(const std::string& key, uint64_t off = 0, int64_t len = -1) override {
    return inner_->get(key, off, len);
  }
  Status del(const std::string& key) override { return inner_->del(key); }
  Result<ObjectInfo> head(const std::string& key) override { return inner_->head(key); }
  Result<ListPage> list(const std::string& prefix, const std::string& startAfter, size_t limit) override {
    return inner_->list(prefix, startAfter, limit);
  }
  Status create() override { return inner_->create(); }
  Status sync() override { return inner_->sync(); }

 protected:
  ObjectStore& inner() const { return *inner_; }

 private:
  std::unique_ptr<ObjectStore> owned_;
  ObjectStore* inner_;
};

}  // namespace slicefs
