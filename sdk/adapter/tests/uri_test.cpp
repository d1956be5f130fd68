// Unit tests of the adapter kit's URI parsing and reference resolution (uri.hpp).
#include "jobengine/adapter/uri.hpp"

#include <gtest/gtest.h>

namespace jobengine::adapter {
namespace {

TEST(Uri, ParsesHttpWithDefaultAndExplicitPorts) {
  auto a = parseUri("HTTPS://API.OSV.dev/v1/query?x=1#frag");
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.uri->scheme, Scheme::kHttps);
  EXPECT_EQ(a.uri->host, "api.osv.dev");
  EXPECT_EQ(a.uri->port, 443);
  EXPECT_FALSE(a.uri->explicit_port);
  EXPECT_EQ(a.uri->target, "/v1/query?x=1");
  EXPECT_EQ(a.uri->toString(), "https://api.osv.dev/v1/query?x=1");

  auto b = parseUri("http://127.0.0.1:8080");
  ASSERT_TRUE(b) << b.error;
  EXPECT_EQ(b.uri->port, 8080);
  EXPECT_TRUE(b.uri->explicit_port);
  EXPECT_EQ(b.uri->target, "/");
  EXPECT_EQ(b.uri->toString(), "http://127.0.0.1:8080/");

  auto c = parseUri("http://[::1]:9000/a/./b/../c");
  ASSERT_TRUE(c) << c.error;
  EXPECT_EQ(c.uri->host, "[::1]");
  EXPECT_EQ(c.uri->port, 9000);
  EXPECT_EQ(c.uri->target, "/a/c");

  auto d = parseUri("http://Example.COM./x");
  ASSERT_TRUE(d) << d.error;
  EXPECT_EQ(d.uri->host, "example.com");
}

TEST(Uri, ParsesFileUris) {
  auto a = parseUri("file:///var/mirror/osv/PyPI/GHSA%20x.json");
  ASSERT_TRUE(a) << a.error;
  EXPECT_EQ(a.uri->scheme, Scheme::kFile);
  EXPECT_FALSE(a.uri->isNetwork());
  EXPECT_EQ(a.uri->target, "/var/mirror/osv/PyPI/GHSA x.json");
  EXPECT_TRUE(parseUri("file://localhost/tmp/a"));
}

TEST(Uri, ErrorsNameWhatIsWrong) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"ftp://host/x", "unsupported scheme 'ftp' (allowed: http, https, file)"},
      {"/relative/path", "not an absolute URI"},
      {"http:///x", "missing host"},
      {"http://host:0/", "port '0' is not a number in 1..65535"},
      {"http://host:70000/", "port '70000'"},
      {"http://host:abc/", "port 'abc'"},
      {"http://user:pw@host/", "user info"},
      {"http://ho st/", "space or control character at offset 9"},
      {"http://ho$t/", "host contains '$'"},
      {"http://[::1/", "closing ']'"},
      {"file://server/share/x", "no host other than 'localhost'"},
      {"file:///a%zz", "malformed percent-escape"},
  };
  for (const auto& c : cases) {
    const auto r = parseUri(c.text);
    EXPECT_FALSE(r) << c.text;
    EXPECT_NE(r.error.find(c.expected), std::string::npos) << c.text << " -> " << r.error;
    EXPECT_NE(r.error.find(c.text), std::string::npos) << "the message quotes the URI: " << r.error;
  }
}

TEST(Uri, ResolvesFeedRelativeReferences) {
  const Uri base = *parseUri("https://mirror.example/osv/PyPI/modified_id.csv?x=1").uri;
  struct Case {
    const char* ref;
    const char* expected;
  };
  const Case cases[] = {
      {"GHSA-1.json", "https://mirror.example/osv/PyPI/GHSA-1.json"},
      {"./GHSA-1.json", "https://mirror.example/osv/PyPI/GHSA-1.json"},
      {"../npm/all.zip", "https://mirror.example/osv/npm/all.zip"},
      {"../../../../x", "https://mirror.example/x"},
      {"/nvd/page-0.json", "https://mirror.example/nvd/page-0.json"},
      {"?y=2", "https://mirror.example/osv/PyPI/modified_id.csv?y=2"},
      {"//other.example/a", "https://other.example/a"},
      {"http://third.example:81/b", "http://third.example:81/b"},
      {"", "https://mirror.example/osv/PyPI/modified_id.csv?x=1"},
  };
  for (const auto& c : cases) {
    const auto r = resolve(base, c.ref);
    ASSERT_TRUE(r) << c.ref << ": " << r.error;
    EXPECT_EQ(r.uri->toString(), c.expected) << c.ref;
  }
}

TEST(Uri, ResolvesAgainstAFileBase) {
  const Uri base = *parseUri("file:///srv/mirror/openvex/changes.csv").uri;
  const auto r = resolve(base, "docs/a%20b.json");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r.uri->scheme, Scheme::kFile);
  EXPECT_EQ(r.uri->target, "/srv/mirror/openvex/docs/a b.json");
  const auto up = resolve(base, "../kev/known.json");
  ASSERT_TRUE(up) << up.error;
  EXPECT_EQ(up.uri->target, "/srv/mirror/kev/known.json");
}

}  // namespace
}  // namespace jobengine::adapter
