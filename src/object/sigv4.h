// AWS Signature Version 4 (header-based) over OpenSSL.
//
// Pure functions, no I/O, no clock: the caller passes the timestamp, so the
// published test vectors can be replayed exactly. Thread-safe.
//
// Canonicalisation follows the S3 rules: the path is percent-encoded once
// (unreserved characters A-Z a-z 0-9 - . _ ~ kept, '/' kept as a separator,
// every other byte %XX upper-case), never normalised (S3 keys may contain
// "//" or "."); query names and values are encoded with '/' escaped too, and
// sorted by encoded name then value; header names are lower-cased, values
// trimmed with inner runs of spaces collapsed, repeated names joined by ','.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slicefs::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Hex of SHA-256(data), lower-case.
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256(key, data), 32 bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of arbitrary bytes.
std::string Hex(std::string_view bytes);
// Base64 of MD5(data) (the Content-MD5 header value).
std::string Md5Base64(std::string_view data);

// Percent-encodes `s` per the SigV4 rules; '/' is kept when !encodeSlash.
std::string UriEncode(std::string_view s, bool encodeSlash);

// The SHA-256 of an empty payload.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string accessKey;
  std::string secretKey;
  std::string sessionToken;  // empty: none
};

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // decoded path, starting with '/' (e.g. "/bucket/a b")
  Pairs query;         // decoded names and values, any order
  Pairs headers;       // every header to sign (must include host), any case/order
  std::string payloadHash;  // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

struct Signed {
  std::string canonicalRequest;
  std::string stringToSign;
  std::string signedHeaders;  // "host;x-amz-date"
  std::string signature;      // hex
  std::string authorization;  // the Authorization header value
};

// Signs `req` for `region`/`service` at `amzDate` ("YYYYMMDDTHHMMSSZ").
// Signs exactly the headers given (the test-suite form).
Signed Sign(const Request& req, const Credentials& creds, std::string_view region,
            std::string_view service, std::string_view amzDate);

// The canonical query string of decoded pairs (also the wire form: the
// encoding is valid in a URL).
std::string CanonicalQuery(const Pairs& query);

// "YYYYMMDDTHHMMSSZ" for a UNIX time in seconds.
std::string AmzDate(int64_t unixSeconds);

// S3 convenience: adds x-amz-date, x-amz-content-sha256 (payloadHash) and, with
// a session token, x-amz-security-token to `req.headers`, signs them all
// together with any headers already present (host must be present), and
// appends the Authorization header. Returns the signing details.
Signed SignS3(Request& req, const Credentials& creds, std::string_view region,
              int64_t unixSeconds);

// ---- pieces shared by signing and verifying (the S3 gateway) ----
// The signing key of a scope: HMAC chain over "AWS4"+secret, date
// ("YYYYMMDD"), region, service and "aws4_request". Raw 32 bytes.
std::string SigningKey(std::string_view secretKey, std::string_view date, std::string_view region,
                       std::string_view service);
// "YYYYMMDD/region/service/aws4_request".
std::string Scope(std::string_view date, std::string_view region, std::string_view service);
// Hex signature of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body:
// HMAC(signingKey, "AWS4-HMAC-SHA256-PAYLOAD\n" amzDate "\n" scope "\n"
// previousSignature "\n" SHA256("") "\n" chunkSha256Hex). The first chunk's
// previous signature is the request's (seed) signature; the last chunk is
// empty.
std::string ChunkSignature(std::string_view signingKey, std::string_view amzDate, std::string_view scope,
                           std::string_view previousSignature, std::string_view chunkSha256Hex);
// Constant-time comparison of two signatures.
bool SameSignature(std::string_view a, std::string_view b);
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

}  // namespace slicefs::sigv4
