// WebDAV request bodies through libxml2 (see dav_xml.h).
#include "webdav/dav_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <mutex>

#include "webdav/dav_util.h"

namespace slicefs::webdav {
namespace {

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

void QuietErrors(void*, const char*, ...) {}

Result<DocPtr> Parse(std::string_view body) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return Err(ENOMEM, "cannot allocate an XML parser");
  xmlSetGenericErrorFunc(nullptr, QuietErrors);
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()), "request.xml", nullptr,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             xmlFreeDoc);
  if (!doc || !ctxt->wellFormed) return Err(EINVAL, "the request body is not well-formed XML");
  if (!ctxt->nsWellFormed) return Err(EINVAL, "the request body is not namespace-well-formed XML");
  return doc;
}

std::string_view Ns(const xmlNode* n) {
  return n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href)) : std::string_view();
}
std::string_view Name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }
bool IsDav(const xmlNode* n, std::string_view local) {
  return n && n->type == XML_ELEMENT_NODE && Ns(n) == kDavNs && Name(n) == local;
}

template <class F>
void ForElements(xmlNode* parent, F&& f) {
  for (xmlNode* c = parent ? parent->children : nullptr; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) f(c);
  }
}

xmlNode* Root(xmlDoc* d, std::string_view local, std::string* why) {
  xmlNode* r = xmlDocGetRootElement(d);
  if (!IsDav(r, local)) {
    *why = "the request body is not a DAV:" + std::string(local) + " element";
    return nullptr;
  }
  return r;
}

// The element serialized on its own, every namespace it uses declared.
std::string Serialize(xmlNode* n) {
  DocPtr d(xmlNewDoc(BAD_CAST "1.0"), xmlFreeDoc);
  xmlNode* copy = xmlDocCopyNode(n, d.get(), 1);
  if (!copy) return "";
  xmlDocSetRootElement(d.get(), copy);
  xmlReconciliateNs(d.get(), copy);
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
  xmlNodeDump(buf.get(), d.get(), copy, 0, 0);
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())), xmlBufferLength(buf.get()));
}

}  // namespace

Result<PropfindRequest> ParsePropfind(std::string_view body) {
  PropfindRequest out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;  // allprop
  ASSIGN_OR_RETURN(auto doc, Parse(body));
  std::string why;
  xmlNode* r = Root(doc.get(), "propfind", &why);
  if (!r) return Err(EINVAL, why);
  bool any = false;
  ForElements(r, [&](xmlNode* c) {
    if (IsDav(c, "allprop")) {
      out.kind = PropfindRequest::kAllProp;
      any = true;
    } else if (IsDav(c, "propname")) {
      out.kind = PropfindRequest::kPropName;
      any = true;
    } else if (IsDav(c, "prop")) {
      out.kind = PropfindRequest::kProp;
      any = true;
      ForElements(c, [&](xmlNode* p) { out.props.push_back({std::string(Ns(p)), std::string(Name(p))}); });
    }
  });
  if (!any) return Err(EINVAL, "DAV:propfind needs allprop, propname or prop");
  return out;
}

Result<std::vector<PropUpdate>> ParsePropertyUpdate(std::string_view body) {
  ASSIGN_OR_RETURN(auto doc, Parse(body));
  std::string why;
  xmlNode* r = Root(doc.get(), "propertyupdate", &why);
  if (!r) return Err(EINVAL, why);
  std::vector<PropUpdate> out;
  ForElements(r, [&](xmlNode* op) {
    const bool set = IsDav(op, "set");
    if (!set && !IsDav(op, "remove")) return;
    ForElements(op, [&](xmlNode* prop) {
      if (!IsDav(prop, "prop")) return;
      ForElements(prop, [&](xmlNode* p) {
        PropUpdate u;
        u.set = set;
        u.name = {std::string(Ns(p)), std::string(Name(p))};
        if (set) u.xml = Serialize(p);
        out.push_back(std::move(u));
      });
    });
  });
  if (out.empty()) return Err(EINVAL, "DAV:propertyupdate names no property");
  return out;
}

Result<LockRequest> ParseLockInfo(std::string_view body) {
  ASSIGN_OR_RETURN(auto doc, Parse(body));
  std::string why;
  xmlNode* r = Root(doc.get(), "lockinfo", &why);
  if (!r) return Err(EINVAL, why);
  LockRequest out;
  bool scope = false, type = false;
  ForElements(r, [&](xmlNode* c) {
    if (IsDav(c, "lockscope")) {
      ForElements(c, [&](xmlNode* s) {
        if (IsDav(s, "exclusive")) out.exclusive = scope = true;
        if (IsDav(s, "shared")) {
          out.exclusive = false;
          scope = true;
        }
      });
    } else if (IsDav(c, "locktype")) {
      ForElements(c, [&](xmlNode* t) { type = type || IsDav(t, "write"); });
    } else if (IsDav(c, "owner")) {
      out.ownerXml = Serialize(c);
    }
  });
  if (!scope) return Err(EINVAL, "DAV:lockinfo needs a lockscope (exclusive or shared)");
  if (!type) return Err(EINVAL, "DAV:lockinfo needs locktype write");
  return out;
}

std::string PropElement(const PropName& p, std::string_view inner) {
  std::string open, close;
  if (p.ns == kDavNs) {
    open = "D:" + p.name;
  } else if (p.ns.empty()) {
    open = p.name;
  } else {
    open = "X:" + p.name + " xmlns:X=\"" + XmlEscape(p.ns) + "\"";
    close = "X:" + p.name;
  }
  if (close.empty()) close = open;
  if (inner.empty()) return "<" + open + "/>";
  return "<" + open + ">" + std::string(inner) + "</" + close + ">";
}

Result<PropName> RootName(std::string_view xml) {
  ASSIGN_OR_RETURN(auto doc, Parse(xml));
  xmlNode* r = xmlDocGetRootElement(doc.get());
  if (!r) return Err(EINVAL, "empty property");
  return PropName{std::string(Ns(r)), std::string(Name(r))};
}

}  // namespace slicefs::webdav
