// PROPFIND (a multistatus streamed page by page) and PROPPATCH (dead
// properties in xattrs, all or nothing).
#include <vector>

#include "webdav/dav_server.h"
#include "webdav/dav_util.h"
#include "webdav/dav_xml.h"

namespace slicefs::webdav {
namespace {

constexpr size_t kPage = 128;  // entries listed per step

const char* const kLive[] = {"resourcetype", "getcontentlength", "getlastmodified", "creationdate",
                             "getetag",      "getcontenttype",   "supportedlock",   "lockdiscovery",
                             "displayname"};

bool FileOnly(std::string_view n) { return n == "getcontentlength" || n == "getetag" || n == "getcontenttype"; }

// The value of live property `name` of an entry, or nullopt if it has none.
std::optional<std::string> LiveValue(DavHandler& h, std::string_view name, const std::string& path, Ino ino,
                                     const Attr& a) {
  const bool dir = a.type == FileType::kDir;
  if (dir && FileOnly(name)) return std::nullopt;
  if (name == "resourcetype") return std::string(dir ? "<D:collection/>" : "");
  if (name == "getcontentlength") return std::to_string(a.length);
  if (name == "getlastmodified") return HttpDate(a.mtimeNs / 1000000000);
  if (name == "creationdate") return IsoDate(a.ctimeNs / 1000000000);
  if (name == "getetag") return XmlEscape(ETagOf(ino, a));
  if (name == "getcontenttype") return ContentTypeFor(BaseName(path));
  if (name == "displayname") return XmlEscape(path == "/" ? "/" : BaseName(path));
  if (name == "supportedlock") {
    return std::string(
        "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
        "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>");
  }
  if (name == "lockdiscovery") return h.LockDiscovery(path);
  return std::nullopt;
}

// One <D:response> for an entry.
std::string ResponseFor(DavHandler& h, const PropfindRequest& req, const std::string& path, Ino ino,
                        const Attr& a) {
  PathFs fs = h.fs();
  const bool dir = a.type == FileType::kDir;
  std::string found, missing;
  auto dead = [&]() {
    std::vector<std::string> xs;
    if (auto names = fs.ListXattr(path)) {
      for (auto& n : *names) {
        if (n.starts_with(kDeadPrefix)) xs.push_back(n);
      }
    }
    return xs;
  };
  if (req.kind == PropfindRequest::kProp) {
    for (const PropName& p : req.props) {
      std::optional<std::string> v;
      if (p.ns == kDavNs) v = LiveValue(h, p.name, path, ino, a);
      if (v) {
        found += PropElement(p, *v);
        continue;
      }
      if (auto x = fs.GetXattr(path, DeadXattr(p.Clark()))) {
        found += *x;
      } else {
        missing += PropElement(p);
      }
    }
  } else {
    const bool names = req.kind == PropfindRequest::kPropName;
    for (const char* n : kLive) {
      auto v = LiveValue(h, n, path, ino, a);
      if (!v) continue;
      found += names ? PropElement({std::string(kDavNs), n}) : PropElement({std::string(kDavNs), n}, *v);
    }
    for (const std::string& x : dead()) {
      auto v = fs.GetXattr(path, x);
      if (!v) continue;
      if (!names) {
        found += *v;
      } else if (auto pn = RootName(*v)) {
        found += PropElement(*pn);
      }
    }
  }
  std::string out = "<D:response><D:href>" + XmlEscape(EncodePath(path)) + (dir && path != "/" ? "/" : "") +
                    "</D:href>";
  if (!found.empty() || missing.empty()) {
    out += "<D:propstat><D:prop>" + found + "</D:prop><D:status>" + StatusLine(200) + "</D:status></D:propstat>";
  }
  if (!missing.empty()) {
    out += "<D:propstat><D:prop>" + missing + "</D:prop><D:status>" + StatusLine(404) + "</D:status></D:propstat>";
  }
  return out + "</D:response>\n";
}

// The multistatus body: the resource, then (depth 1 or infinity) the tree
// below it, depth first, one page of one directory per step.
class PropfindSource : public BodySource {
 public:
  PropfindSource(DavHandler& h, PropfindRequest req, std::string path, Entry top, int depth)
      : h_(h), req_(std::move(req)), depth_(depth) {
    buf_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
    buf_ += ResponseFor(h_, req_, path, top.ino, top.attr);
    if (depth_ > 0 && top.attr.type == FileType::kDir) stack_.push_back({path, ""});
  }

  ssize_t Read(uint64_t, std::span<char> out) override {
    while (off_ == buf_.size()) {
      if (done_) return 0;
      if (h_.svc().inflight().aborting()) return -1;
      buf_.clear();
      off_ = 0;
      if (!Step()) return -1;
    }
    const size_t n = std::min(out.size(), buf_.size() - off_);
    std::copy_n(buf_.data() + off_, n, out.data());
    off_ += n;
    return static_cast<ssize_t>(n);
  }

 private:
  struct Level {
    std::string dir, after;
  };
  // Appends the next page's responses to buf_; false on a listing error.
  bool Step() {
    if (stack_.empty()) {
      buf_ = "</D:multistatus>\n";
      done_ = true;
      return true;
    }
    PathFs fs = h_.fs();
    Level& top = stack_.back();
    auto page = fs.List(top.dir, top.after, kPage, true);
    if (!page) return false;
    if (page->empty()) {
      stack_.pop_back();
      return true;
    }
    std::optional<Level> down;
    const std::string base = top.dir == "/" ? "/" : top.dir + "/";
    for (const auto& e : *page) {
      top.after = e.name;
      const std::string p = base + e.name;
      Attr a;
      if (e.type == FileType::kSymlink || !e.attr) {
        auto st = fs.Stat(p);
        if (!st) continue;  // a dangling symlink is not a resource
        a = *st;
      } else {
        a = *e.attr;
      }
      buf_ += ResponseFor(h_, req_, p, e.ino, a);
      if (depth_ > 1 && e.type == FileType::kDir) {
        down = Level{p, ""};
        break;  // its subtree next, then the rest of this directory
      }
    }
    if (down) stack_.push_back(std::move(*down));
    return true;
  }

  DavHandler& h_;
  PropfindRequest req_;
  int depth_;
  std::vector<Level> stack_;
  std::string buf_;
  size_t off_ = 0;
  bool done_ = false;
};

}  // namespace

HttpReply DavHandler::Propfind(const HttpRequest& req, const std::string& path, const std::string& body) {
  int depth = 2;  // infinity
  if (const std::string* d = req.Header("depth")) {
    if (*d == "0") {
      depth = 0;
    } else if (*d == "1") {
      depth = 1;
    } else if (*d != "infinity" && *d != "Infinity") {
      return TextReply(400, "Depth must be 0, 1 or infinity\n");
    }
  }
  auto pf = ParsePropfind(body);
  if (!pf) return TextReply(400, pf.error().message() + "\n");
  PathFs fs = this->fs();
  auto e = fs.Resolve(path);
  if (!e) return ErrorReply(e.error());
  if (auto r = CheckConditions(req, path, false, false, false)) return std::move(*r);
  HttpReply r;
  r.status = 207;
  r.Header("Content-Type", "application/xml; charset=utf-8");
  r.stream = std::make_unique<PropfindSource>(*this, std::move(*pf), path, *e, depth);
  return r;
}

HttpReply DavHandler::Proppatch(const HttpRequest& req, const std::string& path, const std::string& body) {
  PathFs fs = this->fs();
  if (!fs.Lstat(path)) return TextReply(404, path + " does not exist\n");
  if (auto r = CheckConditions(req, path, true, false, false)) return std::move(*r);
  auto ups = ParsePropertyUpdate(body);
  if (!ups) return TextReply(400, ups.error().message() + "\n");
  // Validate all first: a live (DAV:) property or a name too long for an
  // xattr fails the whole request, nothing is changed.
  std::vector<int> status(ups->size(), 200);
  bool failed = false;
  for (size_t i = 0; i < ups->size(); i++) {
    const PropUpdate& u = (*ups)[i];
    if (u.name.ns == kDavNs) {
      status[i] = 403;
    } else if (DeadXattr(u.name.Clark()).size() > 255 || u.xml.size() > 65536) {
      status[i] = 507;
    }
    failed = failed || status[i] != 200;
  }
  if (!failed) {
    // Apply in order; on an error restore what was there before.
    std::vector<std::pair<std::string, std::optional<std::string>>> undo;
    for (size_t i = 0; i < ups->size() && !failed; i++) {
      const PropUpdate& u = (*ups)[i];
      const std::string x = DeadXattr(u.name.Clark());
      auto old = fs.GetXattr(path, x);
      undo.emplace_back(x, old ? std::optional<std::string>(*old) : std::nullopt);
      Status st = u.set ? fs.SetXattr(path, x, u.xml) : fs.RemoveXattr(path, x);
      if (!u.set && st.is(ENODATA)) st = Status::OK();  // removing an absent property succeeds
      if (!st.ok()) {
        status[i] = StatusOf(st) == 500 ? 500 : StatusOf(st);
        failed = true;
      }
    }
    if (failed) {
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
        if (it->second) {
          (void)fs.SetXattr(path, it->first, *it->second);
        } else {
          (void)fs.RemoveXattr(path, it->first);
        }
      }
    }
  }
  if (failed) {
    for (int& s : status) {
      if (s == 200) s = 424;
    }
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>" +
                    XmlEscape(EncodePath(path)) + "</D:href>";
  for (size_t i = 0; i < ups->size(); i++) {
    out += "<D:propstat><D:prop>" + PropElement((*ups)[i].name) + "</D:prop><D:status>" + StatusLine(status[i]) +
           "</D:status></D:propstat>";
  }
  out += "</D:response></D:multistatus>\n";
  HttpReply r;
  r.status = 207;
  r.Header("Content-Type", "application/xml; charset=utf-8");
  r.body = std::move(out);
  return r;
}

}  // namespace slicefs::webdav
