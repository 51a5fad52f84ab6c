// Decoder for aws-chunked request bodies (Content-Encoding: aws-chunked):
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD:  "<hex>;chunk-signature=<sig>\r\n<data>\r\n" ... "0;chunk-signature=<sig>\r\n\r\n"
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER:  "<hex>\r\n<data>\r\n" ... "0\r\n<trailer lines>\r\n"
// Each chunk's signature is checked when its last byte has arrived, chained
// from the seed signature (sigv4::ChunkSignature). Payload bytes are passed
// on as they arrive, before their chunk is verified: the caller writes them
// somewhere private (a temporary file) and discards it on any error.
// Memory is bounded (a header line of at most 4 KiB, an incremental hash).
// One decoder per body; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "gateway/digest.h"
#include "gateway/s3_error.h"

namespace slicefs::gateway {

class AwsChunkedDecoder {
 public:
  using Sink = std::function<bool(std::string_view payload)>;
  // Signed chunks: signingKey/amzDate/scope/seedSignature from AuthResult.
  AwsChunkedDecoder(std::string signingKey, std::string amzDate, std::string scope, std::string seedSignature);
  // Unsigned chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  AwsChunkedDecoder();

  // Feeds the next wire bytes. A sink returning false stops with
  // InternalError. Errors: IncompleteBody/InvalidRequest for malformed
  // framing, SignatureDoesNotMatch for a bad chunk signature.
  S3Error Feed(std::string_view wire, const Sink& sink);
  // After the last wire byte: IncompleteBody unless the final chunk (and
  // its trailers) arrived.
  S3Error Finish() const;
  uint64_t decodedBytes() const { return decoded_; }

 private:
  S3Error OnHeader();
  S3Error OnChunkEnd();
  enum class State { kHeader, kData, kDataCrlf, kTrailer, kDone };
  bool signed_;
  std::string key_, date_, scope_, prevSig_;
  State state_ = State::kHeader;
  std::string line_;
  std::string chunkSig_;
  uint64_t remaining_ = 0;
  bool last_ = false;
  uint64_t decoded_ = 0;
  size_t crlfSeen_ = 0;
  Digest sha_ = Digest::Sha256();
};

}  // namespace slicefs::gateway
