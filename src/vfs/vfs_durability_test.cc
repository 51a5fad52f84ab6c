// Durability requests reach the object store: close commits without a
// store sync; fsync and every write of an O_SYNC/O_DSYNC handle sync it.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <atomic>

#include "kv/kv.h"
#include "object/mem_store.h"
#include "object/store_wrapper.h"
#include "vfs/volume.h"

namespace slicefs {
namespace {

class SyncCounter : public ObjectStoreWrapper {
 public:
  explicit SyncCounter(std::unique_ptr<ObjectStore> inner) : ObjectStoreWrapper(std::move(inner)) {}
  Status sync() override {
    syncs++;
    return Status::OK();
  }
  std::atomic<int> syncs{0};
};

class VfsDurability : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    VolumeFormat fmt;
    fmt.name = "durtest";
    fmt.uuid = "uuid-dur-" + std::to_string(++n);
    fmt.storage = "mem";
    fmt.trashDays = 0;
    fmt.blockSizeKiB = 64;
    const std::string url = "mem://vfs-durability-" + std::to_string(n);
    auto kv = OpenKvStore(url);
    ASSERT_TRUE(kv.has_value()) << kv.error().ToString();
    ASSERT_TRUE(Meta::Format(**kv, fmt, false).ok());
    auto meta = Meta::Open(std::move(*kv), MetaOptions{});
    ASSERT_TRUE(meta.has_value()) << meta.error().ToString();
    auto store = std::make_unique<SyncCounter>(std::make_unique<MemStore>());
    counter_ = store.get();
    DataOptions d;
    d.compactInBackground = false;
    auto vol = Volume::FromParts(url, std::move(*meta), std::move(store), d);
    ASSERT_TRUE(vol.has_value()) << vol.error().ToString();
    volume_ = std::move(*vol);
  }
  uint64_t Create(const std::string& name, int flags) {
    auto r = volume_->vfs().Create(Ctx::Root(), kRootIno, name, S_IFREG | 0644, 022, flags | O_CREAT);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r ? r->second.fh : 0;
  }
  void Write(uint64_t fh, const std::string& s) {
    auto r = volume_->vfs().Write(fh, 0, std::span<const char>(s.data(), s.size()));
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
  }
  SyncCounter* counter_ = nullptr;
  std::unique_ptr<Volume> volume_;
};

TEST_F(VfsDurability, CloseCommitsWithoutSyncFsyncSyncs) {
  Vfs& v = volume_->vfs();
  uint64_t fh = Create("a", O_RDWR);
  Write(fh, std::string(100000, 'x'));
  ASSERT_TRUE(v.Flush(fh, 0).ok());
  EXPECT_EQ(counter_->syncs.load(), 0) << "close must not wait for a store sync";
  ASSERT_TRUE(v.Fsync(fh, false).ok());
  EXPECT_EQ(counter_->syncs.load(), 1);
  ASSERT_TRUE(v.Fsync(fh, true).ok());  // fdatasync too
  EXPECT_EQ(counter_->syncs.load(), 2);
  ASSERT_TRUE(v.Release(fh).ok());
  EXPECT_EQ(counter_->syncs.load(), 2);
}

TEST_F(VfsDurability, SyncHandlesSyncEveryWrite) {
  Vfs& v = volume_->vfs();
  for (int flag : {O_SYNC, O_DSYNC}) {
    const int before = counter_->syncs.load();
    uint64_t fh = Create("s" + std::to_string(flag), O_WRONLY | flag);
    Write(fh, "hello");
    EXPECT_EQ(counter_->syncs.load(), before + 1) << "flag " << flag;
    // ... and the write is committed: another handle's reader sees it.
    auto e = v.Lookup(Ctx::Root(), kRootIno, "s" + std::to_string(flag));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->attr.length, 5u);
    ASSERT_TRUE(v.Release(fh).ok());
  }
}

}  // namespace
}  // namespace slicefs
