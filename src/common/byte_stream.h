// Byte streams for large documents (metadata dumps, backups): sinks that
// write and sources that read in pieces, so nothing holds a whole document.
// Compression wraps a sink or a source: gzip (zlib, RFC 1952) or zstd
// frames. Readers detect the compression from the first bytes (gzip
// 1f 8b, zstd 28 b5 2f fd), so a compressed document needs no telltale name.
//
// Not thread-safe: one stream is used by one thread. Errors are Status
// values with errno codes (EIO for a corrupt compressed stream, the
// system's errno for file errors) and a one-line message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slicefs {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view data) = 0;
  // Flushes everything (compression trailers included); no Write after it.
  virtual Status Finish() = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to n bytes into buf; 0 at the end of the stream.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

enum class Compression { kNone, kGzip, kZstd };

// "x.gz" -> gzip, "x.zst" -> zstd, anything else -> none.
Compression CompressionForName(std::string_view name);

// Appends to a string (tests, backups built in memory).
class StringSink : public ByteSink {
 public:
  Status Write(std::string_view data) override;
  Status Finish() override { return Status::OK(); }
  std::string& str() { return s_; }

 private:
  std::string s_;
};

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string s) : s_(std::move(s)) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  std::string s_;
  size_t pos_ = 0;
};

// A file descriptor sink/source. Owns the fd when `own` (closes it).
std::unique_ptr<ByteSink> NewFdSink(int fd, bool own, std::string name);
std::unique_ptr<ByteSource> NewFdSource(int fd, bool own, std::string name);

// Compresses into `inner` (which it owns). kNone returns inner itself.
std::unique_ptr<ByteSink> NewCompressingSink(std::unique_ptr<ByteSink> inner, Compression c);
// Reads `inner`, decompressing gzip or zstd when its first bytes say so.
// Concatenated gzip members and zstd frames are read as one stream.
std::unique_ptr<ByteSource> NewDecompressingSource(std::unique_ptr<ByteSource> inner);

}  // namespace slicefs
