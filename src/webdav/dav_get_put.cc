// GET/HEAD (with a single byte range) and PUT (temporary file + rename).
#include <fcntl.h>
#include <openssl/rand.h>

#include <cstdio>

#include "webdav/dav_server.h"
#include "webdav/dav_util.h"

namespace slicefs::webdav {
namespace {

constexpr size_t kPutBlock = 1 << 20;  // body bytes gathered before one write

// A file's bytes [base, base+len) read block by block.
class FileSource : public BodySource {
 public:
  FileSource(PathFile f, uint64_t base, uint64_t len) : f_(std::move(f)), base_(base), len_(len) {}
  ssize_t Read(uint64_t pos, std::span<char> out) override {
    if (pos >= len_) return 0;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), len_ - pos));
    auto n = f_.Read(base_ + pos, out.first(want));
    if (!n || *n == 0) return -1;  // an error, or the file shrank under us
    return static_cast<ssize_t>(*n);
  }

 private:
  PathFile f_;
  uint64_t base_, len_;
};

// A directory listing as a small HTML page, built one page of entries at a time.
class ListingSource : public BodySource {
 public:
  ListingSource(PathFs fs, std::string dir) : fs_(std::move(fs)), dir_(std::move(dir)) {
    const std::string title = XmlEscape(dir_);
    buf_ = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body><h1>" +
           title + "</h1><ul>\n";
  }
  ssize_t Read(uint64_t, std::span<char> out) override {
    while (off_ == buf_.size()) {
      if (done_) return 0;
      buf_.clear();
      off_ = 0;
      auto page = fs_.List(dir_, after_, 256, false);
      if (!page) return -1;
      if (page->empty()) {
        buf_ = "</ul></body></html>\n";
        done_ = true;
        break;
      }
      const std::string base = dir_ == "/" ? "/" : dir_ + "/";
      for (auto& e : *page) {
        const std::string slash = e.type == FileType::kDir ? "/" : "";
        buf_ += "<li><a href=\"" + XmlEscape(EncodePath(base + e.name)) + slash + "\">" + XmlEscape(e.name) + slash +
                "</a></li>\n";
      }
      after_ = page->back().name;
    }
    const size_t n = std::min(out.size(), buf_.size() - off_);
    std::copy_n(buf_.data() + off_, n, out.data());
    off_ += n;
    return static_cast<ssize_t>(n);
  }

 private:
  PathFs fs_;
  std::string dir_, after_, buf_;
  size_t off_ = 0;
  bool done_ = false;
};

std::string RandomHex(size_t bytes) {
  unsigned char b[16];
  RAND_bytes(b, static_cast<int>(std::min(bytes, sizeof b)));
  std::string s;
  char h[3];
  for (size_t i = 0; i < std::min(bytes, sizeof b); i++) {
    std::snprintf(h, sizeof h, "%02x", b[i]);
    s += h;
  }
  return s;
}

// A PUT in progress: the body goes into a temporary file beside the target,
// renamed over it at the end; removed if the request is cut.
class PutExchange : public HttpExchange {
 public:
  PutExchange(DavHandler& h, std::string path, std::string tmp, PathFile f, bool existed)
      : h_(h), path_(std::move(path)), tmp_(std::move(tmp)), f_(std::move(f)), existed_(existed) {
    buf_.reserve(kPutBlock);
  }
  ~PutExchange() override { Discard(); }

  std::optional<HttpReply> Body(std::span<const char> d) override {
    buf_.append(d.data(), d.size());
    if (buf_.size() >= kPutBlock) {
      if (auto r = Flush()) return r;
    }
    return std::nullopt;
  }

  HttpReply Finish() override {
    if (auto r = Flush()) {
      Discard();
      return std::move(*r);
    }
    Status st = f_.Close();
    PathFs fs = h_.fs();
    if (st.ok()) st = fs.Rename(tmp_, path_);
    if (!st.ok()) {
      Discard();
      return ErrorReply(st);
    }
    committed_ = true;
    HttpReply r = TextReply(existed_ ? 204 : 201, "");
    if (auto e = fs.Resolve(path_)) r.Header("ETag", ETagOf(e->ino, e->attr));
    return r;
  }

  void Abandon() override { Discard(); }

 private:
  std::optional<HttpReply> Flush() {
    if (buf_.empty()) return std::nullopt;
    size_t done = 0;
    while (done < buf_.size()) {
      auto n = f_.Write(off_, std::span<const char>(buf_.data() + done, buf_.size() - done));
      if (!n) return ErrorReply(n.error());
      done += *n;
      off_ += *n;
    }
    buf_.clear();
    return std::nullopt;
  }
  void Discard() {
    if (committed_ || discarded_) return;
    discarded_ = true;
    (void)f_.Close();
    (void)h_.fs().Unlink(tmp_);
  }

  DavHandler& h_;
  std::string path_, tmp_;
  PathFile f_;
  bool existed_;
  std::string buf_;
  uint64_t off_ = 0;
  bool committed_ = false, discarded_ = false;
};

}  // namespace

HttpReply DavHandler::Get(const HttpRequest& req, const std::string& path) {
  PathFs fs = this->fs();
  auto e = fs.Resolve(path);
  if (!e) return ErrorReply(e.error());
  if (auto r = CheckConditions(req, path, false, false, false)) return std::move(*r);
  HttpReply r;
  const Attr& a = e->attr;
  r.Header("Last-Modified", HttpDate(a.mtimeNs / 1000000000));
  if (a.type == FileType::kDir) {
    r.Header("Content-Type", "text/html; charset=utf-8");
    r.stream = std::make_unique<ListingSource>(fs, path);
    return r;
  }
  const std::string etag = ETagOf(e->ino, a);
  r.Header("ETag", etag);
  r.Header("Accept-Ranges", "bytes");
  if (const std::string* inm = req.Header("if-none-match"); inm && (*inm == etag || *inm == "*")) {
    r.status = 304;
    return r;
  }
  uint64_t first = 0, len = a.length;
  if (const std::string* range = req.Header("range")) {
    bool unsatisfiable = false;
    auto br = ParseRange(*range, a.length, &unsatisfiable);
    if (unsatisfiable) {
      HttpReply bad = TextReply(416, "range beyond the end of the file\n");
      bad.Header("Content-Range", "bytes */" + std::to_string(a.length));
      return bad;
    }
    if (br) {
      first = br->first;
      len = br->last - br->first + 1;
      r.status = 206;
      r.Header("Content-Range", "bytes " + std::to_string(br->first) + "-" + std::to_string(br->last) + "/" +
                                    std::to_string(a.length));
    }
  }
  r.Header("Content-Type", ContentTypeFor(BaseName(path)));
  auto f = fs.Open(path, O_RDONLY);
  if (!f) return ErrorReply(f.error());
  r.stream = std::make_unique<FileSource>(std::move(*f), first, len);
  r.streamSize = len;
  return r;
}

HttpHandler::Start DavHandler::Put(const HttpRequest& req, const std::string& path) {
  auto fail = [](HttpReply r) { return Start{nullptr, std::move(r)}; };
  if (path == "/") return fail(TextReply(405, "PUT on the root collection\n"));
  if (req.Header("content-range")) return fail(TextReply(400, "PUT with Content-Range is not supported\n"));
  PathFs fs = this->fs();
  auto parent = fs.Stat(ParentPath(path));
  if (!parent || parent->type != FileType::kDir) return fail(TextReply(409, "the parent collection does not exist\n"));
  auto existing = fs.Stat(path);
  if (existing && existing->type == FileType::kDir) return fail(TextReply(405, path + " is a collection\n"));
  if (auto r = CheckConditions(req, path, true, false, !existing)) return fail(std::move(*r));
  // ".NAME.slicefs-put-RANDOM" beside the target (names kept under 255 bytes).
  std::string base = BaseName(path).substr(0, 200);
  const std::string tmp = (ParentPath(path) == "/" ? "" : ParentPath(path)) + "/." + base + ".slicefs-put-" +
                          RandomHex(8);
  auto f = fs.Open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (!f) return fail(ErrorReply(f.error()));
  return Start{std::make_unique<PutExchange>(*this, path, tmp, std::move(*f), existing.has_value()), std::nullopt};
}

}  // namespace slicefs::webdav
