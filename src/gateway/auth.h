// SigV4 request authentication for the gateway: the Authorization header
// form, presigned URLs (X-Amz-* query parameters) and the seed of a
// streaming chunked body. Verification recomputes the signature with
// object/sigv4 (the same code the S3 client signs with) and compares in
// constant time.
//
// Threading: an Authenticator is immutable after construction; Verify is
// thread-safe. Errors are S3Errors (InvalidAccessKeyId,
// SignatureDoesNotMatch, AccessDenied for anonymous or expired requests,
// RequestTimeTooSkewed, AuthorizationHeaderMalformed, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/s3_error.h"
#include "object/sigv4.h"

namespace slicefs::gateway {

// What the verifier needs of an HTTP request.
struct RequestView {
  std::string method;
  std::string path;     // decoded, starting with '/'
  sigv4::Pairs query;   // decoded names and values
  sigv4::Pairs headers; // as received (any case; repeated names repeated)
  // All values of a header (case-insensitive), joined by ',' ("" if absent).
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string Query(std::string_view name) const;
};

struct AuthResult {
  S3Error error;
  // The declared payload: a hex SHA-256 the body must hash to,
  // UNSIGNED-PAYLOAD, or one of the STREAMING-* forms.
  std::string payloadHash;
  // For STREAMING-AWS4-HMAC-SHA256-PAYLOAD: what chunk signatures chain from.
  std::string seedSignature, signingKey, amzDate, scope;
};

class Authenticator {
 public:
  Authenticator(std::string accessKey, std::string secretKey, int64_t maxSkewSec = 900)
      : accessKey_(std::move(accessKey)), secretKey_(std::move(secretKey)), maxSkewSec_(maxSkewSec) {}
  AuthResult Verify(const RequestView& r, int64_t nowSec) const;

 private:
  AuthResult VerifyHeader(const RequestView& r, int64_t nowSec) const;
  AuthResult VerifyPresigned(const RequestView& r, int64_t nowSec) const;
  std::string accessKey_, secretKey_;
  int64_t maxSkewSec_;
};

// "YYYYMMDDTHHMMSSZ" -> unix seconds; -1 if malformed.
int64_t ParseAmzDate(std::string_view s);

}  // namespace slicefs::gateway
