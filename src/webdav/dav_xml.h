// The XML bodies of WebDAV requests, parsed with libxml2 (namespace aware,
// no network, no entity expansion): PROPFIND, PROPPATCH and LOCK. Bodies
// are small (the server refuses more than 1 MiB before parsing).
//
// Threading: pure functions (libxml2 is initialised once, thread-safely).
// Errors: EINVAL with a one-line reason for a body that is not well-formed,
// not namespace-well-formed, or not the element the method expects (the
// server answers 400).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slicefs::webdav {

inline constexpr std::string_view kDavNs = "DAV:";

// A property name: namespace URI (may be empty) and local name.
struct PropName {
  std::string ns, name;
  bool operator==(const PropName&) const = default;
  bool IsDav(std::string_view local) const { return ns == kDavNs && name == local; }
  // Clark notation "{ns}name", the key of a dead property.
  std::string Clark() const { return "{" + ns + "}" + name; }
};

struct PropfindRequest {
  enum Kind { kAllProp, kPropName, kProp } kind = kAllProp;
  std::vector<PropName> props;  // kProp: the names asked for
};
// An empty body is allprop.
Result<PropfindRequest> ParsePropfind(std::string_view body);

struct PropUpdate {
  bool set = true;   // false: remove
  PropName name;
  std::string xml;   // set: the property element, serialized with every namespace it uses declared on it
};
Result<std::vector<PropUpdate>> ParsePropertyUpdate(std::string_view body);

struct LockRequest {
  bool exclusive = true;
  std::string ownerXml;  // the <D:owner> element serialized (self-contained), or ""
};
Result<LockRequest> ParseLockInfo(std::string_view body);

// An element <prefix:name xmlns:prefix="ns"/> (or <name/> without a
// namespace) for property names in responses; `inner` goes inside.
std::string PropElement(const PropName& p, std::string_view inner = "");

// The PropName of a stored dead-property element (its root element).
Result<PropName> RootName(std::string_view xml);

}  // namespace slicefs::webdav
