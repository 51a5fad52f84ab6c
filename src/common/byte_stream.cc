// Byte streams: fd and string endpoints, gzip and zstd wrappers.
#include "common/byte_stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace slicefs {

namespace {

constexpr size_t kBufSize = 256 << 10;

class FdSink : public ByteSink {
 public:
  FdSink(int fd, bool own, std::string name) : fd_(fd), own_(own), name_(std::move(name)) {}
  ~FdSink() override {
    if (own_) ::close(fd_);
  }
  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Error(errno, "writing " + name_ + ": " + std::strerror(errno));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  Status Finish() override {
    if (own_ && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS)
      return Status::Error(errno, "syncing " + name_ + ": " + std::strerror(errno));
    return Status::OK();
  }

 private:
  int fd_;
  bool own_;
  std::string name_;
};

class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool own, std::string name) : fd_(fd), own_(own), name_(std::move(name)) {}
  ~FdSource() override {
    if (own_) ::close(fd_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return Err(errno, "reading " + name_ + ": " + std::strerror(errno));
      return static_cast<size_t>(r);
    }
  }

 private:
  int fd_;
  bool own_;
  std::string name_;
};

class GzipSink : public ByteSink {
 public:
  explicit GzipSink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)), out_(kBufSize) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipSink() override {
    if (ok_) deflateEnd(&z_);
  }
  Status Write(std::string_view data) override { return pump(data, Z_NO_FLUSH); }
  Status Finish() override {
    RETURN_IF_ERROR(pump({}, Z_FINISH));
    return inner_->Finish();
  }

 private:
  Status pump(std::string_view data, int flush) {
    if (!ok_) return Status::IOError("gzip: cannot initialise the compressor");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Status::IOError("gzip: compression failed");
      size_t have = out_.size() - z_.avail_out;
      if (have) RETURN_IF_ERROR(inner_->Write({out_.data(), have}));
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_in == 0 && z_.avail_out != 0)) break;
    }
    return Status::OK();
  }

  std::unique_ptr<ByteSink> inner_;
  std::vector<char> out_;
  z_stream z_;
  bool ok_ = false;
};

class ZstdSink : public ByteSink {
 public:
  explicit ZstdSink(std::unique_ptr<ByteSink> inner)
      : inner_(std::move(inner)), cctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
    if (cctx_) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }
  Status Write(std::string_view data) override { return pump(data, ZSTD_e_continue); }
  Status Finish() override {
    RETURN_IF_ERROR(pump({}, ZSTD_e_end));
    return inner_->Finish();
  }

 private:
  Status pump(std::string_view data, ZSTD_EndDirective mode) {
    if (!cctx_) return Status::IOError("zstd: cannot create a compression context");
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      size_t rem = ZSTD_compressStream2(cctx_, &out, &in, mode);
      if (ZSTD_isError(rem)) return Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(rem));
      if (out.pos) RETURN_IF_ERROR(inner_->Write({out_.data(), out.pos}));
      if (mode == ZSTD_e_end ? rem == 0 : in.pos == in.size) break;
    }
    return Status::OK();
  }

  std::unique_ptr<ByteSink> inner_;
  ZSTD_CCtx* cctx_;
  std::vector<char> out_;
};

// Reads the inner source through a buffer that the decoders consume.
class Buffered {
 public:
  explicit Buffered(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)), buf_(kBufSize) {}
  // Makes at least one byte available unless at the end; false at the end.
  Result<bool> fill() {
    if (pos_ < len_) return true;
    ASSIGN_OR_RETURN(len_, inner_->Read(buf_.data(), buf_.size()));
    pos_ = 0;
    return len_ > 0;
  }
  // Fills until n bytes are buffered or the end is reached (for magic checks).
  Result<std::string_view> peek(size_t n) {
    if (pos_ > 0 && len_ - pos_ < n) {
      std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
      len_ -= pos_;
      pos_ = 0;
    }
    while (len_ - pos_ < n) {
      ASSIGN_OR_RETURN(size_t got, inner_->Read(buf_.data() + len_, buf_.size() - len_));
      if (got == 0) break;
      len_ += got;
    }
    return std::string_view(buf_.data() + pos_, std::min(n, len_ - pos_));
  }
  const char* data() const { return buf_.data() + pos_; }
  size_t avail() const { return len_ - pos_; }
  void consume(size_t n) { pos_ += n; }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
};

class PlainSource : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<Buffered> in) : in_(std::move(in)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    ASSIGN_OR_RETURN(bool more, in_->fill());
    if (!more) return size_t{0};
    size_t k = std::min(n, in_->avail());
    std::memcpy(buf, in_->data(), k);
    in_->consume(k);
    return k;
  }

 private:
  std::unique_ptr<Buffered> in_;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<Buffered> in) : in_(std::move(in)) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflateInit2(&z_, 15 + 16) == Z_OK;
  }
  ~GzipSource() override {
    if (ok_) inflateEnd(&z_);
  }
  Result<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return Err(EIO, "gzip: cannot initialise the decompressor");
    for (;;) {
      if (ended_) {  // another member may follow
        ASSIGN_OR_RETURN(bool more, in_->fill());
        if (!more) return size_t{0};
        inflateReset(&z_);
        ended_ = false;
      }
      ASSIGN_OR_RETURN(bool more, in_->fill());
      if (!more) return Err(EIO, "gzip: the compressed stream is truncated");
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_->data()));
      z_.avail_in = static_cast<uInt>(in_->avail());
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = static_cast<uInt>(n);
      int rc = inflate(&z_, Z_NO_FLUSH);
      in_->consume(in_->avail() - z_.avail_in);
      if (rc == Z_STREAM_END) ended_ = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR) return Err(EIO, std::string("gzip: corrupt data (") + (z_.msg ? z_.msg : "inflate error") + ")");
      size_t got = n - z_.avail_out;
      if (got) return got;
    }
  }

 private:
  std::unique_ptr<Buffered> in_;
  z_stream z_;
  bool ok_ = false;
  bool ended_ = false;
};

class ZstdSource : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<Buffered> in) : in_(std::move(in)), dctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }
  Result<size_t> Read(char* buf, size_t n) override {
    if (!dctx_) return Err(EIO, "zstd: cannot create a decompression context");
    for (;;) {
      ASSIGN_OR_RETURN(bool more, in_->fill());
      if (!more) {
        if (frameDone_) return size_t{0};
        return Err(EIO, "zstd: the compressed stream is truncated");
      }
      ZSTD_inBuffer in{in_->data(), in_->avail(), 0};
      ZSTD_outBuffer out{buf, n, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      in_->consume(in.pos);
      if (ZSTD_isError(rc)) return Err(EIO, std::string("zstd: corrupt data (") + ZSTD_getErrorName(rc) + ")");
      frameDone_ = rc == 0;
      if (out.pos) return out.pos;
    }
  }

 private:
  std::unique_ptr<Buffered> in_;
  ZSTD_DCtx* dctx_;
  bool frameDone_ = true;
};

}  // namespace

Compression CompressionForName(std::string_view name) {
  if (name.ends_with(".gz")) return Compression::kGzip;
  if (name.ends_with(".zst")) return Compression::kZstd;
  return Compression::kNone;
}

Status StringSink::Write(std::string_view data) {
  s_.append(data);
  return Status::OK();
}

Result<size_t> StringSource::Read(char* buf, size_t n) {
  size_t k = std::min(n, s_.size() - pos_);
  std::memcpy(buf, s_.data() + pos_, k);
  pos_ += k;
  return k;
}

std::unique_ptr<ByteSink> NewFdSink(int fd, bool own, std::string name) {
  return std::make_unique<FdSink>(fd, own, std::move(name));
}
std::unique_ptr<ByteSource> NewFdSource(int fd, bool own, std::string name) {
  return std::make_unique<FdSource>(fd, own, std::move(name));
}

std::unique_ptr<ByteSink> NewCompressingSink(std::unique_ptr<ByteSink> inner, Compression c) {
  switch (c) {
    case Compression::kGzip: return std::make_unique<GzipSink>(std::move(inner));
    case Compression::kZstd: return std::make_unique<ZstdSink>(std::move(inner));
    case Compression::kNone: break;
  }
  return inner;
}

namespace {
class DetectingSource : public ByteSource {
 public:
  explicit DetectingSource(std::unique_ptr<ByteSource> inner) : in_(std::make_unique<Buffered>(std::move(inner))) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (!impl_) {
      ASSIGN_OR_RETURN(auto head, in_->peek(4));
      if (head.size() >= 2 && static_cast<uint8_t>(head[0]) == 0x1f && static_cast<uint8_t>(head[1]) == 0x8b)
        impl_ = std::make_unique<GzipSource>(std::move(in_));
      else if (head.size() == 4 && head == std::string_view("\x28\xb5\x2f\xfd", 4))
        impl_ = std::make_unique<ZstdSource>(std::move(in_));
      else
        impl_ = std::make_unique<PlainSource>(std::move(in_));
    }
    return impl_->Read(buf, n);
  }

 private:
  std::unique_ptr<Buffered> in_;
  std::unique_ptr<ByteSource> impl_;
};
}  // namespace

std::unique_ptr<ByteSource> NewDecompressingSource(std::unique_ptr<ByteSource> inner) {
  return std::make_unique<DetectingSource>(std::move(inner));
}

}  // namespace slicefs
