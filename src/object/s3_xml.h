// Minimal parsing of the S3 XML responses slicefs needs: ListObjectsV2
// results, error documents, and multi-object-delete results; and building
// the multi-object-delete request body. Not a general XML parser: it reads
// the flat element layout S3 documents and decodes the five predefined
// entities and numeric character references. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "object/object_store.h"

namespace slicefs::s3xml {

// Text of the first <tag>...</tag> inside `xml` (entity-decoded), or "".
std::string FirstText(std::string_view xml, std::string_view tag);
// Raw bodies of every <tag>...</tag> inside `xml`, in order.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag);

std::string XmlDecode(std::string_view s);
std::string XmlEscape(std::string_view s);

// "2013-09-17T18:07:53.000Z" -> nanoseconds since the epoch (0 if malformed).
int64_t ParseIso8601Ns(std::string_view s);
// "Wed, 12 Oct 2009 17:50:00 GMT" -> nanoseconds since the epoch (0 if malformed).
int64_t ParseHttpDateNs(std::string_view s);

struct ListResult {
  std::vector<ObjectInfo> objects;  // keys as the server sent them
  bool truncated = false;
  std::string nextToken;  // NextContinuationToken
};
ListResult ParseListV2(std::string_view xml);

struct ErrorDoc {
  std::string code;     // e.g. "NoSuchKey"; empty if the body is not an S3 error
  std::string message;
};
ErrorDoc ParseError(std::string_view xml);

// <Delete><Quiet>true</Quiet><Object><Key>..</Key></Object>...</Delete>
std::string BuildDeleteBody(const std::vector<std::string>& keys);
// Keys reported under <Error> in a DeleteResult, with their codes as "key: code".
std::vector<std::string> ParseDeleteErrors(std::string_view xml);

}  // namespace slicefs::s3xml
