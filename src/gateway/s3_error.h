// S3 errors as the gateway answers them: a code from the S3 API reference
// (NoSuchKey, SignatureDoesNotMatch, ...), its HTTP status, and the XML error
// document <Error><Code/><Message/><Resource/><RequestId/></Error>.
// Pure values and functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace slicefs::gateway {

struct S3Error {
  int http = 500;
  std::string code;     // empty: no error
  std::string message;  // one line
  bool ok() const { return code.empty(); }
};

// A named error with S3's HTTP status for that code (500 for unknown codes).
S3Error MakeError(std::string_view code, std::string message = "");
// Maps a file-system Status to the nearest S3 error (ENOENT -> NoSuchKey,
// EACCES/EPERM -> AccessDenied, ENOSPC/EDQUOT -> quota/space errors,
// ENAMETOOLONG -> KeyTooLongError, ENOTDIR/EEXIST/EISDIR -> a key conflict,
// others InternalError with the message).
S3Error FromStatus(const Status& st);

// The XML error body for a request on `resource` (the request path).
std::string ErrorXml(const S3Error& e, std::string_view resource, std::string_view requestId);

}  // namespace slicefs::gateway
