#include "gateway/s3_error.h"

#include <cerrno>
#include <utility>

#include "object/s3_xml.h"

namespace slicefs::gateway {

namespace {

struct Known {
  std::string_view code;
  int http;
  std::string_view message;
};

constexpr Known kKnown[] = {
    {"AccessDenied", 403, "Access Denied"},
    {"BadDigest", 400, "The Content-MD5 you specified did not match what was received."},
    {"BucketAlreadyExists", 409, "The requested bucket name is not available."},
    {"BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it."},
    {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty."},
    {"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."},
    {"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {"InternalError", 500, "We encountered an internal error. Please try again."},
    {"InvalidAccessKeyId", 403, "The AWS access key Id you provided does not exist in our records."},
    {"InvalidArgument", 400, "Invalid Argument"},
    {"InvalidBucketName", 400, "The specified bucket is not valid."},
    {"InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
    {"InvalidPart", 400, "One or more of the specified parts could not be found."},
    {"InvalidPartOrder", 400, "The list of parts was not in ascending order."},
    {"InvalidRange", 416, "The requested range is not satisfiable"},
    {"InvalidRequest", 400, "Invalid Request"},
    {"KeyTooLongError", 400, "Your key is too long"},
    {"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."},
    {"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
    {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
    {"MissingSecurityHeader", 400, "Your request is missing a required header."},
    {"NoSuchBucket", 404, "The specified bucket does not exist"},
    {"NoSuchKey", 404, "The specified key does not exist."},
    {"NoSuchUpload", 404, "The specified multipart upload does not exist."},
    {"NotImplemented", 501, "A header you provided implies functionality that is not implemented"},
    {"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold"},
    {"RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large."},
    {"SignatureDoesNotMatch", 403,
     "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
    {"XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed."},
    {"AuthorizationHeaderMalformed", 400, "The authorization header is malformed."},
    {"AuthorizationQueryParametersError", 400, "The presigned URL's query parameters are malformed."},
    {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
    {"QuotaExceeded", 403, "The volume or directory quota is exceeded."},
    {"ObjectConflict", 409, "A parent of the key is an object, or the key is a non-empty directory."},
    {"NotModified", 304, "Not Modified"},
    {"ServiceUnavailable", 503, "The gateway is shutting down; retry elsewhere or later."},
};

}  // namespace

S3Error MakeError(std::string_view code, std::string message) {
  for (const auto& k : kKnown) {
    if (k.code == code) return S3Error{k.http, std::string(code), message.empty() ? std::string(k.message) : std::move(message)};
  }
  return S3Error{500, std::string(code), std::move(message)};
}

S3Error FromStatus(const Status& st) {
  switch (st.code()) {
    case 0: return S3Error{};
    case ENOENT: return MakeError("NoSuchKey");
    case EACCES:
    case EPERM:
    case EROFS: return MakeError("AccessDenied", st.message());
    case ENOSPC:
    case EDQUOT: return MakeError("QuotaExceeded", st.message());
    case ENAMETOOLONG: return MakeError("KeyTooLongError", st.message());
    case ENOTDIR:
    case EEXIST:
    case EISDIR:
    case ENOTEMPTY: return MakeError("ObjectConflict", st.message());
    case EINVAL: return MakeError("InvalidArgument", st.message());
    default: return MakeError("InternalError", st.message());
  }
}

std::string ErrorXml(const S3Error& e, std::string_view resource, std::string_view requestId) {
  using s3xml::XmlEscape;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + XmlEscape(e.code) + "</Code><Message>" +
         XmlEscape(e.message) + "</Message><Resource>" + XmlEscape(resource) + "</Resource><RequestId>" +
         XmlEscape(requestId) + "</RequestId></Error>";
}

}  // namespace slicefs::gateway
