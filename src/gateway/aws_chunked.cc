#include "gateway/aws_chunked.h"

#include <algorithm>
#include <cctype>

#include "object/sigv4.h"

namespace slicefs::gateway {

namespace {
constexpr size_t kMaxLine = 4096;
}

AwsChunkedDecoder::AwsChunkedDecoder(std::string signingKey, std::string amzDate, std::string scope,
                                     std::string seedSignature)
    : signed_(true), key_(std::move(signingKey)), date_(std::move(amzDate)), scope_(std::move(scope)),
      prevSig_(std::move(seedSignature)) {}

AwsChunkedDecoder::AwsChunkedDecoder() : signed_(false) {}

S3Error AwsChunkedDecoder::OnHeader() {
  // "<hex>[;chunk-signature=<sig>]"
  std::string_view l = line_;
  size_t semi = l.find(';');
  std::string_view hex = l.substr(0, semi);
  if (hex.empty() || hex.size() > 15) return MakeError("IncompleteBody", "malformed aws-chunked chunk header");
  uint64_t n = 0;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return MakeError("IncompleteBody", "malformed aws-chunked chunk size");
    n = n * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
  }
  chunkSig_.clear();
  if (semi != std::string_view::npos) {
    std::string_view ext = l.substr(semi + 1);
    constexpr std::string_view kSig = "chunk-signature=";
    if (ext.rfind(kSig, 0) == 0) chunkSig_ = ext.substr(kSig.size());
  }
  if (signed_ && chunkSig_.empty()) return MakeError("SignatureDoesNotMatch", "a chunk lacks its chunk-signature");
  remaining_ = n;
  last_ = n == 0;
  line_.clear();
  if (last_ && !signed_) {
    state_ = State::kTrailer;
    return OnChunkEnd();
  }
  state_ = n == 0 ? State::kDataCrlf : State::kData;
  if (n == 0) return OnChunkEnd();
  return S3Error{};
}

S3Error AwsChunkedDecoder::OnChunkEnd() {
  std::string hash = sha_.FinalHex();
  if (!signed_) return S3Error{};
  std::string want = sigv4::ChunkSignature(key_, date_, scope_, prevSig_, hash);
  if (!sigv4::SameSignature(want, chunkSig_))
    return MakeError("SignatureDoesNotMatch", "a chunk signature of the streaming payload does not match");
  prevSig_ = want;
  return S3Error{};
}

S3Error AwsChunkedDecoder::Feed(std::string_view wire, const Sink& sink) {
  while (!wire.empty()) {
    switch (state_) {
      case State::kHeader:
      case State::kTrailer: {
        size_t nl = wire.find('\n');
        size_t take = nl == std::string_view::npos ? wire.size() : nl + 1;
        line_.append(wire.substr(0, take));
        wire.remove_prefix(take);
        if (line_.size() > kMaxLine) return MakeError("IncompleteBody", "an aws-chunked header line is too long");
        if (nl == std::string_view::npos) break;
        while (!line_.empty() && (line_.back() == '\n' || line_.back() == '\r')) line_.pop_back();
        if (state_ == State::kTrailer) {
          if (line_.empty()) state_ = State::kDone;
          line_.clear();  // trailer checksums are not checked (the ETag is the body's MD5)
          break;
        }
        if (S3Error e = OnHeader(); !e.ok()) return e;
        break;
      }
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, wire.size()));
        std::string_view part = wire.substr(0, take);
        sha_.Update(part);
        if (!sink(part)) return MakeError("InternalError", "the body could not be stored");
        decoded_ += take;
        remaining_ -= take;
        wire.remove_prefix(take);
        if (remaining_ == 0) {
          if (S3Error e = OnChunkEnd(); !e.ok()) return e;
          state_ = State::kDataCrlf;
          crlfSeen_ = 0;
        }
        break;
      }
      case State::kDataCrlf: {
        char want = crlfSeen_ == 0 ? '\r' : '\n';
        if (wire.front() != want) return MakeError("IncompleteBody", "aws-chunked data is not followed by CRLF");
        wire.remove_prefix(1);
        if (++crlfSeen_ == 2) {
          crlfSeen_ = 0;
          state_ = last_ ? State::kDone : State::kHeader;
        }
        break;
      }
      case State::kDone:
        return MakeError("IncompleteBody", "bytes after the final aws-chunked chunk");
    }
  }
  return S3Error{};
}

S3Error AwsChunkedDecoder::Finish() const {
  // A trailer section may end without its blank line when no trailers follow.
  if (state_ == State::kDone || (state_ == State::kTrailer && line_.empty())) return S3Error{};
  return MakeError("IncompleteBody", "the aws-chunked body ended before its final chunk");
}

}  // namespace slicefs::gateway
