// The WebDAV server's pieces on their own: byte ranges, paths, the If
// header, lock conflicts and the XML of request bodies.
#include <gtest/gtest.h>

#include "webdav/dav_locks.h"
#include "webdav/dav_util.h"
#include "webdav/dav_xml.h"

namespace slicefs::webdav {
namespace {

TEST(DavParts, Ranges) {
  bool bad = false;
  auto r = ParseRange("bytes=10-19", 100, &bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 10u);
  EXPECT_EQ(r->last, 19u);
  r = ParseRange("bytes=90-", 100, &bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, 99u);
  r = ParseRange("bytes=-5", 100, &bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 95u);
  r = ParseRange("bytes=50-5000", 100, &bad);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, 99u) << "a range past the end is cut at the end";
  EXPECT_FALSE(ParseRange("bytes=100-", 100, &bad));
  EXPECT_TRUE(bad) << "a range starting at the end cannot be satisfied";
  EXPECT_FALSE(ParseRange("bytes=1-2,5-6", 100, &bad));
  EXPECT_FALSE(bad) << "several ranges: the whole body instead";
  EXPECT_FALSE(ParseRange("items=1-2", 100, &bad));
  EXPECT_FALSE(ParseRange("bytes=5-1", 100, &bad));
}

TEST(DavParts, Paths) {
  EXPECT_EQ(NormalizePath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(NormalizePath("/a/../../b"), "/b");
  EXPECT_EQ(ParentPath("/a/b"), "/a");
  EXPECT_EQ(ParentPath("/a"), "/");
  EXPECT_EQ(BaseName("/a/b/"), "b");
  EXPECT_TRUE(IsWithin("/a/b", "/a"));
  EXPECT_FALSE(IsWithin("/ab", "/a"));
  EXPECT_EQ(*DestinationPath("http://h:1/x%20y/z?q=1"), "/x y/z");
  EXPECT_EQ(*DestinationPath("/p"), "/p");
  EXPECT_FALSE(DestinationPath("http://h/bad%zz"));
  EXPECT_EQ(EncodePath("/a b/ü&"), "/a%20b/%C3%BC%26");
}

TEST(DavParts, IfHeader) {
  auto lists = ParseIf("(<opaquelocktoken:t1> [\"e1\"]) (Not <DAV:no-lock>)");
  ASSERT_TRUE(lists);
  ASSERT_EQ(lists->size(), 2u);
  EXPECT_EQ(SubmittedTokens(*lists), std::set<std::string>({"opaquelocktoken:t1"}));
  auto tokenOk = [](const std::string&, const std::string& t) { return t == "opaquelocktoken:t1"; };
  auto etag = [](const std::string&) { return std::string("\"e2\""); };
  // The first list fails (etag), the second holds (no-lock is never a lock).
  EXPECT_TRUE(EvaluateIf(*lists, "/f", tokenOk, etag));
  auto only = ParseIf("(<opaquelocktoken:t1> [\"e1\"])");
  EXPECT_FALSE(EvaluateIf(*only, "/f", tokenOk, etag));
  auto tagged = ParseIf("<http://h/other> (<opaquelocktoken:t2>)");
  ASSERT_TRUE(tagged);
  EXPECT_EQ((*tagged)[0].resource, "/other");
  EXPECT_FALSE(ParseIf("(<unclosed"));
  EXPECT_FALSE(ParseIf("()"));
  EXPECT_FALSE(ParseIf("garbage"));
}

TEST(DavParts, LockConflicts) {
  LockTable t;
  auto coll = t.Lock("/c", /*exclusive=*/true, /*infinite=*/true, "", 60);
  ASSERT_TRUE(coll);
  EXPECT_FALSE(t.Lock("/c/f", false, false, "", 60)) << "inside an infinite exclusive lock";
  EXPECT_FALSE(t.Lock("/", false, true, "", 60)) << "an infinite lock above it";
  EXPECT_TRUE(t.Lock("/", false, false, "", 60)) << "a depth-0 lock on the parent does not cover /c";
  EXPECT_FALSE(t.CheckWrite("/c/f", false, {}).ok());
  EXPECT_TRUE(t.CheckWrite("/c/f", false, {coll->token}).ok());
  EXPECT_FALSE(t.CheckWrite("/", true, {}).ok()) << "a tree write below / needs /c's token";
  auto s1 = t.Lock("/s", false, false, "", 60);
  auto s2 = t.Lock("/s", false, false, "", 60);
  EXPECT_TRUE(s1 && s2) << "shared locks share";
  EXPECT_FALSE(t.Lock("/s", true, false, "", 60));
  EXPECT_FALSE(t.Unlock("/other", coll->token).ok()) << "a token unlocks only where it applies";
  EXPECT_TRUE(t.Unlock("/c/f", coll->token).ok());
  EXPECT_TRUE(t.Lock("/c/f", true, false, "", 60));
  auto gone = t.Lock("/e", true, false, "", 0);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(t.Covering("/e").empty()) << "a lock past its timeout is gone";
  EXPECT_EQ(ParseTimeout(nullptr), 600u);
  const std::string inf = "Infinite, Second-4100000000", sec = "Second-42";
  EXPECT_EQ(ParseTimeout(&inf), LockTable::kMaxTimeoutSec);
  EXPECT_EQ(ParseTimeout(&sec), 42u);
}

TEST(DavParts, XmlBodies) {
  auto all = ParsePropfind("");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->kind, PropfindRequest::kAllProp);
  auto some = ParsePropfind(
      "<?xml version=\"1.0\"?><a:propfind xmlns:a=\"DAV:\" xmlns:z=\"urn:z\"><a:prop><a:getetag/><z:x/>"
      "</a:prop></a:propfind>");
  ASSERT_TRUE(some);
  ASSERT_EQ(some->props.size(), 2u);
  EXPECT_TRUE(some->props[0].IsDav("getetag"));
  EXPECT_EQ(some->props[1].Clark(), "{urn:z}x");
  EXPECT_FALSE(ParsePropfind("<propfind xmlns=\"DAV:\"><prop>")) << "not well-formed";
  EXPECT_FALSE(ParsePropfind("<propfind xmlns=\"DAV:\" xmlns:bad=\"\"><prop/></propfind>"))
      << "an empty prefixed namespace is not namespace-well-formed";
  EXPECT_FALSE(ParsePropfind("<other xmlns=\"DAV:\"/>"));
  // A value with markup in a namespace declared on an ancestor comes out
  // self-contained, and parses back to the same name.
  auto ups = ParsePropertyUpdate(
      "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:n=\"urn:n\" xmlns:v=\"urn:v\"><D:set><D:prop>"
      "<n:p>text <v:b attr=\"1\">bold</v:b></n:p></D:prop></D:set><D:remove><D:prop><n:q/></D:prop></D:remove>"
      "</D:propertyupdate>");
  ASSERT_TRUE(ups);
  ASSERT_EQ(ups->size(), 2u);
  EXPECT_TRUE((*ups)[0].set);
  EXPECT_FALSE((*ups)[1].set);
  const std::string& xml = (*ups)[0].xml;
  EXPECT_NE(xml.find("urn:n"), std::string::npos) << xml;
  EXPECT_NE(xml.find("urn:v"), std::string::npos) << xml;
  auto back = RootName(xml);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Clark(), "{urn:n}p");
  auto lock = ParseLockInfo(
      "<lockinfo xmlns=\"DAV:\"><lockscope><shared/></lockscope><locktype><write/></locktype>"
      "<owner><href>me</href></owner></lockinfo>");
  ASSERT_TRUE(lock);
  EXPECT_FALSE(lock->exclusive);
  EXPECT_NE(lock->ownerXml.find("me"), std::string::npos);
  EXPECT_FALSE(ParseLockInfo("<lockinfo xmlns=\"DAV:\"><locktype><write/></locktype></lockinfo>"));
  EXPECT_EQ(PropElement({"urn:a&b", "x"}), "<X:x xmlns:X=\"urn:a&amp;b\"/>");
  EXPECT_EQ(PropElement({"", "x"}, "v"), "<x>v</x>");
}

}  // namespace
}  // namespace slicefs::webdav
