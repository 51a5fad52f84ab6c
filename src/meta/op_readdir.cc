// Readdir streams a directory by name cursor: each call scans at most
// `limit` entries after `after`, so no directory is ever loaded whole.
#include <unistd.h>

#include "common/encoding.h"
#include "meta/meta_impl.h"

namespace slicefs {

Result<std::vector<DirEntry>> MetaImpl::Readdir(const Ctx& ctx, Ino dir, std::string_view after, size_t limit,
                                                bool plus) {
  std::vector<DirEntry> out;
  META_TRY(kv_->readOnly([&](KvTxn& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(Attr a, MustAttr(tx, dir));
    if (a.type != FileType::kDir) return Status::Error(ENOTDIR, "not a directory");
    META_TRY(CheckAccess(tx, ctx, a, R_OK));
    const std::string prefix = keys::EntryPrefix(dir);
    std::string begin = prefix;
    if (!after.empty()) {
      begin.append(after);
      begin.push_back('\0');
    }
    ASSIGN_OR_RETURN(auto kvs, tx.scan(begin, PrefixEnd(prefix), limit));
    out.reserve(kvs.size());
    std::vector<std::string> attrKeys;
    for (auto& kv : kvs) {
      auto name = keys::EntryName(kv.key);
      if (!name) return Status::IOError("corrupt entry key");
      ASSIGN_OR_RETURN(EntryValue e, DecodeEntry(kv.value));
      out.push_back(DirEntry{std::string(*name), e.ino, e.type, std::nullopt});
      if (plus) attrKeys.push_back(keys::Attr(e.ino));
    }
    if (plus && !attrKeys.empty()) {
      ASSIGN_OR_RETURN(auto vals, tx.gets(attrKeys));
      for (size_t i = 0; i < out.size() && i < vals.size(); i++) {
        if (!vals[i]) continue;  // raced with an unlink; caller sees no attr
        ASSIGN_OR_RETURN(Attr ca, DecodeAttr(*vals[i]));
        out[i].attr = ca;
      }
    }
    return Status::OK();
  }));
  return out;
}

}  // namespace slicefs
