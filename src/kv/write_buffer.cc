#include "kv/write_buffer.h"

namespace slicefs {

void WriteBuffer::put(std::string_view key, std::string_view value) {
  auto it = writes_.find(key);
  if (it == writes_.end()) {
    writes_.emplace(std::string(key), std::string(value));
  } else {
    it->second = std::string(value);
  }
}

void WriteBuffer::del(std::string_view key) {
  auto it = writes_.find(key);
  if (it == writes_.end()) {
    writes_.emplace(std::string(key), std::nullopt);
  } else {
    it->second.reset();
  }
}

const WriteBuffer::Entry* WriteBuffer::find(std::string_view key) const {
  auto it = writes_.find(key);
  return it == writes_.end() ? nullptr : &it->second;
}

Result<std::vector<std::optional<std::string>>> WriteBuffer::gets(std::span<const std::string> keys,
                                                                  const MultiFetch& fetch) const {
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<std::string> missing;
  std::vector<size_t> where;
  for (size_t i = 0; i < keys.size(); i++) {
    if (const Entry* e = find(keys[i])) {
      out[i] = *e;
    } else {
      missing.push_back(keys[i]);
      where.push_back(i);
    }
  }
  if (!missing.empty()) {
    ASSIGN_OR_RETURN(auto got, fetch(missing));
    if (got.size() != missing.size()) return Err(EIO, "engine returned a wrong number of values");
    for (size_t j = 0; j < got.size(); j++) out[where[j]] = std::move(got[j]);
  }
  return out;
}

Result<std::vector<KeyValue>> WriteBuffer::scan(std::string_view begin, std::string_view end, size_t limit,
                                                const RangeFetch& fetch) const {
  std::vector<KeyValue> out;
  if (!end.empty() && end <= begin) return out;
  std::string cur(begin);
  auto full = [&] { return limit != 0 && out.size() >= limit; };
  while (!full()) {
    size_t want = limit == 0 ? 0 : limit - out.size();
    ASSIGN_OR_RETURN(auto page, fetch(cur, end, want));
    // When the page is full there may be more engine rows after it; only
    // buffered keys up to the page's last key may be merged in this round.
    bool more = want != 0 && page.size() >= want && !page.empty();
    std::string lastKey = more ? page.back().key : std::string();
    auto bit = writes_.lower_bound(cur);
    auto bufferedInRange = [&](const std::string& k) {
      if (more) return k <= lastKey;
      return end.empty() || k < end;
    };
    size_t pi = 0;
    while (!full()) {
      bool haveB = bit != writes_.end() && bufferedInRange(bit->first);
      bool haveP = pi < page.size();
      if (!haveB && !haveP) break;
      if (haveB && (!haveP || bit->first <= page[pi].key)) {
        if (haveP && bit->first == page[pi].key) pi++;  // buffered write overrides the engine row
        if (bit->second) out.push_back({bit->first, *bit->second});
        ++bit;
      } else {
        out.push_back(std::move(page[pi]));
        pi++;
      }
    }
    if (!more) break;
    cur = std::move(lastKey);
    cur.push_back('\0');
  }
  return out;
}

}  // namespace slicefs
