// DataEnv implementations (no tests here; the file name joins data_tests).
#include <sys/stat.h>

#include "object/open_store.h"
#include "object/storage_setup.h"
#include "support/fake_meta.h"
#include "data/data_env.h"

namespace slicefs::testing {
namespace {

VolumeFormat FormatFor(const DataEnvOptions& o, const std::string& dir) {
  VolumeFormat f;
  f.name = "datavol";
  f.uuid = "0000-data-test";
  f.storage = o.storage;
  f.bucket = o.storage == "file" ? dir + "/bucket" : dir;  // mem: unique per test dir
  f.blockSizeKiB = o.blockSizeKiB;
  f.hashPrefix = o.hashPrefix;
  f.trashDays = o.trashDays;
  return f;
}

class FakeEnv : public DataEnv {
 public:
  FakeEnv(const DataEnvOptions& o, const std::string& dir) : opts_(o), meta_(FormatFor(o, dir)) {}
  Status Init() {
    RETURN_IF_ERROR(PrepareStorage(meta_.format()));
    auto s = OpenObjectStore(meta_.format());
    if (!s) return s.error();
    store_ = std::move(*s);
    return OpenData();
  }
  std::string name() const override { return "fake+" + opts_.storage; }
  Meta& meta() override { return meta_; }
  DataStore& data() override { return *data_; }
  ObjectStore& store() override { return *store_; }
  Result<Ino> NewFile(const std::string&) override { return nextIno_++; }
  Result<uint64_t> Length(Ino ino) override { return meta_.Length(ino); }
  Status Truncate(Ino ino, uint64_t length) override {
    auto r = meta_.Truncate(Ctx::Root(), ino, length, false);
    return r ? Status::OK() : r.error();
  }
  Status Remove(const std::string&, Ino ino) override {
    meta_.Remove(ino);
    return Status::OK();
  }
  Status Reopen() override {
    RETURN_IF_ERROR(data_->FlushAll());
    data_.reset();
    return OpenData();
  }

 private:
  Status OpenData() {
    auto d = DataStore::Open(&meta_, store_.get(), opts_.data);
    if (!d) return d.error();
    data_ = std::move(*d);
    return Status::OK();
  }
  DataEnvOptions opts_;
  FakeMeta meta_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<DataStore> data_;
  Ino nextIno_ = 100;
};

}  // namespace

Result<std::unique_ptr<DataEnv>> MakeDataEnv(const DataEnvOptions& opts, const std::string& dir) {
  if (opts.meta == "fake") {
    auto env = std::make_unique<FakeEnv>(opts, dir);
    if (Status s = env->Init(); !s.ok()) return Err(s);
    return std::unique_ptr<DataEnv>(std::move(env));
  }
  return Err(ENOTSUP, "meta kind '" + opts.meta + "' not built into data_tests");
}

}  // namespace slicefs::testing
