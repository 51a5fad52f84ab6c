// DataEnv implementations (no tests here; the file name joins data_tests).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "kv/kv.h"
#include "vfs/meta_slices.h"
#include "object/open_store.h"
#include "object/storage_setup.h"
#include "support/fake_meta.h"
#include "support/s3_server.h"
#include "data/data_env.h"

namespace slicefs::testing {
namespace {

VolumeFormat FormatFor(const DataEnvOptions& o, const std::string& dir) {
  VolumeFormat f;
  f.name = "datavol";
  f.uuid = "0000-data-test";
  f.storage = o.storage;
  f.bucket = o.storage == "file" ? dir + "/bucket" : dir;  // mem: unique per test dir
  if (o.storage == "s3") {  // a fresh bucket on the shared s3rver (empty URL if unavailable)
    static std::atomic<int> seq{0};
    S3Server* server = SharedS3Server();
    f.bucket = server ? server->bucketUrl("data-" + std::to_string(::getpid()) + "-" + std::to_string(seq++)) : "";
    f.accessKey = S3Server::kAccessKey;
    f.secretKey = S3Server::kSecretKey;
  }
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
  SliceMeta& meta() override { return meta_; }
  DataStore& data() override { return *data_; }
  ObjectStore& store() override { return *store_; }
  Result<Ino> NewFile(const std::string&) override { return nextIno_++; }
  Result<uint64_t> Length(Ino ino) override { return meta_.Length(ino); }
  Status Truncate(Ino ino, uint64_t length) override {
    meta_.Truncate(ino, length);
    return Status::OK();
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

// A real Meta over a KV engine URL (mem://NAME or sqlite3://PATH).
class RealEnv : public DataEnv {
 public:
  RealEnv(const DataEnvOptions& o, const std::string& dir, std::string url)
      : opts_(o), fmt_(FormatFor(o, dir)), url_(std::move(url)) {}
  Status Init() {
    fmt_.name = "datavol";
    auto kv = OpenKvStore(url_);
    if (!kv) return kv.error();
    RETURN_IF_ERROR(Meta::Format(**kv, fmt_, false));
    RETURN_IF_ERROR(PrepareStorage(fmt_));
    auto s = OpenObjectStore(fmt_);
    if (!s) return s.error();
    store_ = std::move(*s);
    return OpenClient();
  }
  ~RealEnv() override { Close(); }
  std::string name() const override { return url_; }
  SliceMeta& meta() override { return *slices_; }
  Meta* realMeta() override { return meta_.get(); }
  DataStore& data() override { return *data_; }
  ObjectStore& store() override { return *store_; }
  Result<Ino> NewFile(const std::string& name) override {
    auto e = meta_->Create(Ctx::Root(), kRootIno, name, S_IFREG | 0644, 0, O_RDWR);
    if (!e) return Err(e.error());
    if (Status s = meta_->Close(e->ino); !s.ok()) return Err(s);
    return e->ino;
  }
  Result<uint64_t> Length(Ino ino) override {
    auto a = meta_->GetAttr(Ctx::Root(), ino);
    if (!a) return Err(a.error());
    return a->length;
  }
  Status Truncate(Ino ino, uint64_t length) override {
    auto r = meta_->Truncate(Ctx::Root(), ino, length, false);
    return r ? Status::OK() : r.error();
  }
  Status Remove(const std::string& name, Ino) override { return meta_->Unlink(Ctx::Root(), kRootIno, name); }
  Status Reopen() override {
    RETURN_IF_ERROR(data_->FlushAll());
    Close();
    return OpenClient();
  }
  Result<std::unique_ptr<Meta>> OpenOtherClient() override {
    auto kv = OpenKvStore(url_);
    if (!kv) return Err(kv.error());
    auto m = Meta::Open(std::move(*kv), MetaOptions{});
    if (!m) return Err(m.error());
    if (Status s = (*m)->NewSession(SessionInfo{"test2", "/data-test2", 2, "test"}); !s.ok()) return Err(s);
    return std::move(*m);
  }

 private:
  Status OpenClient() {
    auto kv = OpenKvStore(url_);
    if (!kv) return kv.error();
    auto m = Meta::Open(std::move(*kv), MetaOptions{});
    if (!m) return m.error();
    meta_ = std::move(*m);
    RETURN_IF_ERROR(meta_->NewSession(SessionInfo{"test", "/data-test", 1, "test"}));
    slices_ = std::make_unique<MetaSlices>(*meta_);
    auto d = DataStore::Open(slices_.get(), store_.get(), opts_.data);
    if (!d) return d.error();
    data_ = std::move(*d);
    return Status::OK();
  }
  void Close() {
    data_.reset();
    slices_.reset();
    if (meta_) (void)meta_->CloseSession();
    meta_.reset();
  }
  DataEnvOptions opts_;
  VolumeFormat fmt_;
  std::string url_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<Meta> meta_;
  std::unique_ptr<MetaSlices> slices_;
  std::unique_ptr<DataStore> data_;
};

}  // namespace

Result<std::unique_ptr<DataEnv>> MakeDataEnv(const DataEnvOptions& opts, const std::string& dir) {
  if (opts.storage == "s3") {
    std::string why;
    if (!SharedS3Server(&why)) return Err(ENOTSUP, "s3rver unavailable: " + why);
  }
  if (opts.meta == "fake") {
    auto env = std::make_unique<FakeEnv>(opts, dir);
    if (Status s = env->Init(); !s.ok()) return Err(s);
    return std::unique_ptr<DataEnv>(std::move(env));
  }
  std::string url;
  if (opts.meta == "sqlite3") {
    url = "sqlite3://" + dir + "/meta.db";
  } else if (opts.meta == "mem") {
    static std::atomic<int> seq{0};
    url = "mem://data-env-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
  } else {
    return Err(ENOTSUP, "meta kind '" + opts.meta + "' not built into data_tests");
  }
  auto env = std::make_unique<RealEnv>(opts, dir, url);
  if (Status s = env->Init(); !s.ok()) return Err(s);
  return std::unique_ptr<DataEnv>(std::move(env));
}

}  // namespace slicefs::testing
