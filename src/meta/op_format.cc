// Meta::Format, Meta::LoadFormat and Meta::Open.
#include <sys/stat.h>

#include "meta/meta_impl.h"

namespace slicefs {

namespace {
Attr NewDirAttr(uint32_t mode, Ino parent, int64_t now) {
  Attr a;
  a.type = FileType::kDir;
  a.mode = mode;
  a.nlink = 2;
  a.length = 4096;
  a.atimeNs = a.mtimeNs = a.ctimeNs = now;
  a.parent = parent;
  return a;
}
}  // namespace

Status Meta::Format(KvStore& kv, const VolumeFormat& fmt, bool force) {
  META_TRY(fmt.Validate());
  VolumeFormat f = fmt;
  return kv.txn([&](KvTxn& tx) -> Status {
    f = fmt;
    if (f.uuid.empty()) f.uuid = GenerateUuid();
    ASSIGN_OR_RETURN(auto existing, tx.get(keys::Setting()));
    if (existing) {
      if (!force) return Status::Error(EEXIST, "a volume is already formatted in this database (use --force to update it)");
      auto old = VolumeFormat::FromJson(*existing);
      if (!old) return old.error();
      if (old->name != f.name)
        return Status::Invalid("the database holds volume '" + old->name + "', not '" + f.name + "'");
      if (!fmt.uuid.empty() && fmt.uuid != old->uuid) return Status::Invalid("volume UUID mismatch");
      f.uuid = old->uuid;
      // ACLs stay on once enabled (config --disable-acl checks for rules).
      if (old->enableAcl) f.enableAcl = true;
    }
    tx.put(keys::Setting(), f.ToJson());
    int64_t now = MetaImpl::NowNs();
    ASSIGN_OR_RETURN(auto root, tx.get(keys::Attr(kRootIno)));
    if (!root) tx.put(keys::Attr(kRootIno), EncodeAttr(NewDirAttr(0777, kRootIno, now)));
    ASSIGN_OR_RETURN(auto trash, tx.get(keys::Attr(kTrashIno)));
    if (!trash) tx.put(keys::Attr(kTrashIno), EncodeAttr(NewDirAttr(0555, kRootIno, now)));
    if (!existing) {
      tx.put(keys::Counter(keys::kNextInode), EncodeCounter(2));
      tx.put(keys::Counter(keys::kNextChunk), EncodeCounter(1));
      tx.put(keys::Counter(keys::kNextSession), EncodeCounter(0));
      tx.put(keys::Counter(keys::kUsedSpace), EncodeCounter(0));
      tx.put(keys::Counter(keys::kTotalInodes), EncodeCounter(0));
    }
    return Status::OK();
  });
}

Result<VolumeFormat> Meta::LoadFormat(KvStore& kv) {
  std::optional<std::string> v;
  META_TRY(kv.readOnly([&](KvTxn& tx) -> Status {
    ASSIGN_OR_RETURN(v, tx.get(keys::Setting()));
    return Status::OK();
  }));
  if (!v) return Err(ENOENT, "volume not formatted");
  return VolumeFormat::FromJson(*v);
}

Result<std::unique_ptr<Meta>> Meta::Open(std::unique_ptr<KvStore> kv, const MetaOptions& opts) {
  if (!kv) return Err(EINVAL, "no metadata engine");
  ASSIGN_OR_RETURN(VolumeFormat fmt, LoadFormat(*kv));
  if (fmt.version != 1) return Err(EINVAL, "unsupported metadata format version " + std::to_string(fmt.version));
  auto m = std::make_unique<MetaImpl>(std::move(kv), std::move(fmt), opts);
  META_TRY(m->FlushUsage());  // also loads the counter baselines
  return std::unique_ptr<Meta>(std::move(m));
}

}  // namespace slicefs
