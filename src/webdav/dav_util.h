// Small WebDAV/HTTP helpers: percent-encoding of hrefs, the path of a
// Destination URI, HTTP dates, Range and Timeout headers, ETags, XML text
// escaping and content types by file extension.
//
// Threading: pure functions. Errors: nullopt / EINVAL as each says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "meta/types.h"
#include "object/s3_xml.h"

namespace slicefs::webdav {

// Percent-encodes everything but unreserved characters and '/'.
std::string EncodePath(std::string_view path);
// Decodes %XX; EINVAL for a malformed escape or a NUL byte.
Result<std::string> DecodePath(std::string_view s);
// The volume path a Destination header names: "http://host/a%20b" ->
// "/a b" (an absolute path is taken as is). EINVAL when unusable.
Result<std::string> DestinationPath(std::string_view dest);
// "/a/b/" -> "/a/b"; "/" stays.
std::string NormalizePath(std::string_view p);
std::string ParentPath(std::string_view p);  // "/a/b" -> "/a"; "/" -> "/"
std::string BaseName(std::string_view p);    // "/a/b" -> "b"
// True when `child` is `parent` or below it.
bool IsWithin(std::string_view child, std::string_view parent);

// RFC 1123 date ("Tue, 01 Dec 2026 17:30:00 GMT") and ISO 8601 (creationdate).
std::string HttpDate(int64_t unixSec);
std::string IsoDate(int64_t unixSec);

// A single byte range of "bytes=A-B", "bytes=A-" or "bytes=-N" within a
// resource of `size` bytes: [first, last]. nullopt when the header is not a
// single byte range (serve the whole body); {true} in `unsatisfiable` when
// it lies beyond the end (416).
struct ByteRange {
  uint64_t first = 0, last = 0;
};
std::optional<ByteRange> ParseRange(std::string_view header, uint64_t size, bool* unsatisfiable);

// A strong ETag from inode, size and mtime: "\"<hex>-<hex>-<hex>\"".
std::string ETagOf(Ino ino, const Attr& a);

// XML text/attribute escaping: the S3 client's (object/s3_xml.h).
using ::slicefs::s3xml::XmlEscape;

// "text/html" for .html etc., "application/octet-stream" otherwise.
std::string ContentTypeFor(std::string_view name);

}  // namespace slicefs::webdav
