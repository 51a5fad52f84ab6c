// SAX-driven reading of dump documents (slicefs format here; JuiceFS in
// dump_juicefs.cc).
#include "meta/dump_reader.h"

#include <istream>
#include <streambuf>

namespace slicefs::dump {

bool DomBuilder::Feed(Event& e) {
  switch (e.kind) {
    case Event::kValue:
      Place(std::move(e.value));
      break;
    case Event::kStartObject:
      stack_.push_back(Place(json::object()));
      return false;
    case Event::kStartArray:
      stack_.push_back(Place(json::array()));
      return false;
    case Event::kKey:
      key_ = std::move(e.key);
      return false;
    case Event::kEndObject:
    case Event::kEndArray:
      stack_.pop_back();
      break;
  }
  return stack_.empty();
}

json* DomBuilder::Place(json v) {
  if (stack_.empty()) {
    root_ = std::move(v);
    return &root_;
  }
  json* top = stack_.back();
  if (top->is_object()) {
    json& slot = (*top)[key_];
    slot = std::move(v);
    return &slot;
  }
  top->push_back(std::move(v));
  return &top->back();
}

namespace {

// A streambuf over a ByteSource that counts the bytes handed out.
class SourceBuf : public std::streambuf {
 public:
  explicit SourceBuf(ByteSource& in) : in_(in), buf_(256 << 10) {}
  uint64_t consumed() const { return base_ + static_cast<uint64_t>(gptr() - eback()); }
  const Status& error() const { return err_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    base_ += static_cast<uint64_t>(egptr() - eback());
    auto n = in_.Read(buf_.data(), buf_.size());
    if (!n) {
      err_ = n.error();
      return traits_type::eof();
    }
    if (*n == 0) return traits_type::eof();
    setg(buf_.data(), buf_.data(), buf_.data() + *n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  ByteSource& in_;
  std::vector<char> buf_;
  uint64_t base_ = 0;
  Status err_;
};

// Turns SAX callbacks into Events for the format picked by the first key.
class Sax {
 public:
  Sax(RecordSink& sink, SourceBuf& buf, std::string* source) : sink_(sink), buf_(buf), source_(source) {}

  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Value(json(nullptr)); }
  bool boolean(bool v) { return Value(json(v)); }
  bool number_integer(number_integer_t v) { return Value(json(v)); }
  bool number_unsigned(number_unsigned_t v) { return Value(json(v)); }
  bool number_float(number_float_t v, const string_t&) { return Value(json(v)); }
  bool string(string_t& v) { return Value(json(std::move(v))); }
  bool binary(binary_t&) { return Fail(Status::Invalid("binary values are not expected")); }
  bool start_object(std::size_t) {
    if (depth_++ == 0) return true;
    return Send({Event::kStartObject, {}, {}});
  }
  bool end_object() {
    if (--depth_ == 0) {
      done_ = true;
      return true;
    }
    return Send({Event::kEndObject, {}, {}});
  }
  bool start_array(std::size_t) {
    if (depth_++ == 0) return Fail(Status::Invalid("the document is an array, not a dump object"));
    return Send({Event::kStartArray, {}, {}});
  }
  bool end_array() {
    --depth_;
    return Send({Event::kEndArray, {}, {}});
  }
  bool key(string_t& k) {
    if (!fmt_) {
      if (k == kMagicKey) {
        fmt_ = NewSlicefsFormat(sink_);
        if (source_) *source_ = "slicefs";
      } else if (k == "Setting") {
        fmt_ = NewJuicefsFormat(sink_);
        if (source_) *source_ = "juicefs";
      } else {
        return Fail(Status::Invalid("not a slicefs or JuiceFS dump (its first key is '" + k +
                                    "'; a slicefs dump starts with \"slicefs-dump\", a JuiceFS one with \"Setting\")"));
      }
    }
    return Send({Event::kKey, {}, std::move(k)});
  }
  bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception& ex) {
    if (!buf_.error().ok()) {
      err_ = buf_.error();
      return false;
    }
    std::string what = ex.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    err_ = Status::Invalid("invalid JSON at byte " + std::to_string(pos) + ": " + what);
    parseError_ = true;
    return false;
  }

  Status Finish() {
    if (!err_.ok()) return err_;
    if (!done_ || !fmt_) return Status::Invalid("the document ends early (truncated dump?)");
    return fmt_->Finish();
  }
  const Status& error() const { return err_; }
  bool parseError() const { return parseError_; }
  uint64_t records() const { return fmt_ ? fmt_->records() : 0; }
  const DocFormat* format() const { return fmt_.get(); }

 private:
  bool Value(json v) {
    if (depth_ == 0) return Fail(Status::Invalid("the document is not a JSON object"));
    return Send({Event::kValue, std::move(v), {}});
  }
  bool Send(Event e) {
    if (!fmt_) return Fail(Status::Invalid("the dump object has no keys"));
    return Fail(fmt_->On(e));
  }
  bool Fail(Status st) {
    if (st.ok()) return true;
    err_ = std::move(st);
    return false;
  }

  RecordSink& sink_;
  SourceBuf& buf_;
  std::string* source_;
  std::unique_ptr<DocFormat> fmt_;
  int depth_ = 0;
  bool done_ = false;
  bool parseError_ = false;
  Status err_;
};

// The slicefs document: {"slicefs-dump":1, "header":{...}, "records":[...], "summary":{...}}.
class SlicefsFormat : public DocFormat {
 public:
  explicit SlicefsFormat(RecordSink& sink) : sink_(sink) {}

  Status On(Event& e) override {
    if (capturing_) {
      if (!dom_.Feed(e)) return Status::OK();
      capturing_ = false;
      return Complete(dom_.Take());
    }
    if (inRecords_) {
      if (e.kind == Event::kEndArray) {
        inRecords_ = false;
        return Status::OK();
      }
      capturing_ = true;
      return On(e);
    }
    if (e.kind == Event::kKey) {
      key_ = e.key;
      if (key_ == "records") {
        if (!header_) return Status::Invalid("'records' before 'header'");
        expectRecordsArray_ = true;
        return Status::OK();
      }
      return Status::OK();
    }
    if (expectRecordsArray_) {
      expectRecordsArray_ = false;
      if (e.kind != Event::kStartArray) return Status::Invalid("'records' is not an array");
      inRecords_ = true;
      return Status::OK();
    }
    capturing_ = true;
    return On(e);
  }

  Status Finish() override {
    if (!header_) return Status::Invalid("the dump has no header");
    if (!summary_) return Status::Invalid("the dump has no summary (truncated dump?)");
    return Status::OK();
  }
  uint64_t records() const override { return records_; }

 private:
  Status Complete(json v) {
    if (inRecords_) {
      records_++;
      return DecodeRecord(v, sink_);
    }
    if (key_ == kMagicKey) {
      if (!v.is_number_integer() || v.get<int64_t>() != kDumpVersion)
        return Status::Invalid("unsupported slicefs dump version " + v.dump() + " (this slicefs reads version 1)");
      return Status::OK();
    }
    if (key_ == "header") return Header(v);
    if (key_ == "summary") {
      if (!v.is_object()) return Status::Invalid("'summary' is not an object");
      ASSIGN_OR_RETURN(uint64_t n, U64(v, "records"));
      if (n != records_)
        return Status::Invalid("the summary counts " + std::to_string(n) + " records but the dump holds " +
                               std::to_string(records_) + " (damaged dump?)");
      summary_ = true;
      return Status::OK();
    }
    return Status::OK();  // unknown top-level fields are ignored
  }

  Status Header(const json& h) {
    if (!h.is_object()) return Status::Invalid("'header' is not an object");
    ASSIGN_OR_RETURN(uint64_t ver, U64(h, "version"));
    if (ver != kDumpVersion) return Status::Invalid("unsupported dump header version " + std::to_string(ver));
    auto f = h.find("format");
    if (f == h.end() || !f->is_object()) return Status::Invalid("the header has no 'format' object");
    dump::Header out;
    out.formatJson = f->dump();
    if (auto c = h.find("counters"); c != h.end() && c->is_object()) {
      for (auto it = c->begin(); it != c->end(); ++it) {
        if (it.value().is_number_integer()) out.counters.emplace_back(it.key(), it.value().get<int64_t>());
      }
    }
    ASSIGN_OR_RETURN(out.root, U64(h, "root", kRootIno));
    header_ = true;
    return sink_.OnHeader(std::move(out));
  }

  RecordSink& sink_;
  DomBuilder dom_;
  bool capturing_ = false;
  bool inRecords_ = false;
  bool expectRecordsArray_ = false;
  bool header_ = false;
  bool summary_ = false;
  std::string key_;
  uint64_t records_ = 0;
};

}  // namespace

std::unique_ptr<DocFormat> NewSlicefsFormat(RecordSink& sink) { return std::make_unique<SlicefsFormat>(sink); }

namespace {
// Notes the input position before each record reaches the sink, and which
// errors are the sink's own (they carry their own position).
class SinkProxy : public RecordSink {
 public:
  SinkProxy(RecordSink& sink, const SourceBuf& buf, uint64_t* pos) : sink_(sink), buf_(buf), pos_(pos) {}
  Status OnHeader(Header h) override { return Pass(sink_.OnHeader(Note(std::move(h)))); }
  Status OnInode(InodeRec r) override { return Pass(sink_.OnInode(Note(std::move(r)))); }
  Status OnEntries(EntriesRec r) override { return Pass(sink_.OnEntries(Note(std::move(r)))); }
  Status OnXattrs(XattrsRec r) override { return Pass(sink_.OnXattrs(Note(std::move(r)))); }
  Status OnChunk(ChunkRec r) override { return Pass(sink_.OnChunk(Note(std::move(r)))); }
  Status OnDeleted(DeletedRec r) override { return Pass(sink_.OnDeleted(Note(std::move(r)))); }
  Status OnQuota(QuotaRec r) override { return Pass(sink_.OnQuota(Note(std::move(r)))); }
  bool failed() const { return failed_; }

 private:
  template <class T>
  T&& Note(T&& v) {
    if (pos_) *pos_ = buf_.consumed();
    return std::forward<T>(v);
  }
  Status Pass(Status st) {
    if (!st.ok()) failed_ = true;
    return st;
  }
  RecordSink& sink_;
  const SourceBuf& buf_;
  uint64_t* pos_;
  bool failed_ = false;
};
}  // namespace

Status ReadDocument(ByteSource& in, RecordSink& sink, std::string* source, uint64_t* position,
                    std::vector<std::string>* warnings) {
  SourceBuf buf(in);
  std::istream is(&buf);
  SinkProxy proxy(sink, buf, position);
  Sax sax(proxy, buf, source);
  bool ok = json::sax_parse(is, &sax, nlohmann::json::input_format_t::json, /*strict=*/true);
  uint64_t pos = buf.consumed();
  if (position) *position = pos;
  if (warnings && sax.format()) *warnings = FormatWarnings(*sax.format());
  Status st = ok ? sax.Finish() : (sax.error().ok() ? Status::Invalid("invalid JSON") : sax.error());
  if (st.ok() || proxy.failed()) return st;
  if (sax.parseError()) return Status::Error(st.code(), "record " + std::to_string(sax.records() + 1) + ": " + st.message());
  return Status::Error(st.code(), "record " + std::to_string(sax.records()) + " (byte " + std::to_string(pos) + "): " + st.message());
}

}  // namespace slicefs::dump
