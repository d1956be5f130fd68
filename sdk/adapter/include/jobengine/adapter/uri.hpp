// jobengine/adapter/uri.hpp — absolute URIs as the source adapters' fetcher accepts them
// (http, https, file) and resolution of feed-relative references against a base URI
// (RFC 3986 §5.2). Pure functions; safe from any thread.
//
// Deliberately narrow: no user info (credentials never travel in a feed URI), no fragment (it
// is dropped, servers never see it), host names lower-cased, dot segments removed. A file URI is
// "file://" + an empty host or "localhost" + an absolute path, percent-decoded into `path`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::adapter {

enum class Scheme { kHttp, kHttps, kFile };

struct Uri {
  Scheme scheme = Scheme::kHttp;
  std::string host;   // lower-case, no trailing dot; IPv6 literals keep their brackets; "" for file
  uint16_t port = 0;  // explicit, else 80 / 443; 0 for file
  bool explicit_port = false;  // the text named the port
  std::string target;          // http(s): path + optional "?query", always starting with '/';
                               // file: the decoded absolute file-system path
  bool isNetwork() const { return scheme != Scheme::kFile; }
  std::string schemeName() const;
  // The URI as text again (what the fetcher sends to libcurl).
  std::string toString() const;
};

// Either a URI or a message saying what is wrong with the text (and quoting it).
struct UriResult {
  std::optional<Uri> uri;
  std::string error;
  explicit operator bool() const { return uri.has_value(); }
};

// An absolute http://, https:// or file:// URI.
UriResult parseUri(std::string_view text);

// `relative` resolved against `base` (RFC 3986 §5.2.2): an absolute URI stands alone, "//host/x"
// keeps the base's scheme, "/x" the base's authority, "x" and "../x" merge with the base's
// directory, "?q" replaces the base's query.
UriResult resolve(const Uri& base, std::string_view relative);

}  // namespace jobengine::adapter
