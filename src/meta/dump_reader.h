// Streaming readers of dump documents: nlohmann::json's SAX parser turned
// into events, small values captured whole (one record at a time), and the
// two document formats (slicefs, JuiceFS 1.x) delivering records to a
// dump::RecordSink. Internal to src/meta.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/byte_stream.h"
#include "meta/dump_records.h"

namespace slicefs::dump {

struct Event {
  enum Kind { kValue, kStartObject, kKey, kEndObject, kStartArray, kEndArray } kind = kValue;
  json value;       // kValue
  std::string key;  // kKey
};

// Builds one JSON value from events; Feed returns true when it is complete.
class DomBuilder {
 public:
  bool Feed(Event& e);
  json Take() { return std::move(root_); }

 private:
  json* Place(json v);
  json root_;
  std::vector<json*> stack_;
  std::string key_;
};

// A document format: consumes the events of the whole document.
class DocFormat {
 public:
  virtual ~DocFormat() = default;
  virtual Status On(Event& e) = 0;
  // Called at the end of the input; EINVAL if the document was incomplete.
  virtual Status Finish() = 0;
  virtual uint64_t records() const = 0;
};

// The slicefs format (its first key "slicefs-dump" already consumed).
std::unique_ptr<DocFormat> NewSlicefsFormat(RecordSink& sink);
// The JuiceFS format (its first key "Setting" already consumed).
std::unique_ptr<DocFormat> NewJuicefsFormat(RecordSink& sink);
// What a format could not carry over (JuiceFS: ACLs, quotas, ...), one line each.
std::vector<std::string> FormatWarnings(const DocFormat& f);

// Parses `in` and feeds the format chosen by the first key. Errors carry
// the record number and byte offset ("record 12 (byte 3456): ..."); errors
// returned by the sink are passed on unchanged. *source is set to
// "slicefs" or "juicefs" as soon as known; *position (if given) holds the
// byte offset reached whenever the sink is called, and the end at return.
Status ReadDocument(ByteSource& in, RecordSink& sink, std::string* source, uint64_t* position,
                    std::vector<std::string>* warnings);

}  // namespace slicefs::dump
