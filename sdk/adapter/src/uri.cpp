// URI parsing and reference resolution for the adapter kit (see uri.hpp).
#include "jobengine/adapter/uri.hpp"

#include <jobengine/hex.hpp>

#include <cctype>
#include <vector>

namespace jobengine::adapter {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

UriResult failure(std::string_view text, const std::string& what) {
  return UriResult{std::nullopt, "URI '" + std::string(text) + "': " + what};
}

std::optional<std::string> percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return std::nullopt;
    }
    const int hi = sdk::hexDigitValue(s[i + 1]);
    const int lo = sdk::hexDigitValue(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// RFC 3986 §5.2.4 on a path (no query).
std::string removeDotSegments(std::string_view path) {
  std::vector<std::string_view> kept;
  const bool absolute = !path.empty() && path.front() == '/';
  size_t pos = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (pos <= path.size()) {
    const size_t slash = path.find('/', pos);
    const std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    trailing_slash = false;
    if (seg == "..") {
      if (!kept.empty()) {
        kept.pop_back();
      }
      trailing_slash = true;
    } else if (seg == ".") {
      trailing_slash = true;
    } else {
      kept.push_back(seg);
    }
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < kept.size(); ++i) {
    out += kept[i];
    if (i + 1 < kept.size()) {
      out += '/';
    }
  }
  if (trailing_slash && !out.empty() && out.back() != '/') {
    out += '/';
  }
  return out;
}

// Splits "path?query" and removes dot segments from the path part.
std::string normalizeTarget(std::string_view target) {
  const size_t q = target.find('?');
  std::string path = removeDotSegments(target.substr(0, q));
  if (path.empty() || path.front() != '/') {
    path.insert(path.begin(), '/');
  }
  if (q != std::string_view::npos) {
    path += target.substr(q);
  }
  return path;
}

bool validHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

UriResult parseAuthority(std::string_view text, std::string_view authority, Uri& uri) {
  if (authority.find('@') != std::string_view::npos) {
    return failure(text, "user info ('user@host') is not allowed; put credentials in headers");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return failure(text, "IPv6 host literal lacks its closing ']'");
    }
    host = authority.substr(0, close + 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return failure(text, "unexpected '" + std::string(rest) + "' after the IPv6 host");
      }
      port = rest.substr(1);
      uri.explicit_port = true;
    }
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      uri.explicit_port = true;
    }
    for (const char c : host) {
      if (!validHostChar(c)) {
        return failure(text, std::string("host contains '") + c +
                                 "' (allowed: letters, digits, '-', '.', '_', '~')");
      }
    }
  }
  if (host.empty() || host == "[]") {
    return failure(text, "missing host");
  }
  uri.host = lower(host);
  while (uri.host.size() > 1 && uri.host.back() == '.') {
    uri.host.pop_back();
  }
  if (uri.explicit_port) {
    if (port.empty() || port.size() > 5) {
      return failure(text, "port '" + std::string(port) + "' is not a number in 1..65535");
    }
    long value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9') {
        return failure(text, "port '" + std::string(port) + "' is not a number in 1..65535");
      }
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) {
      return failure(text, "port '" + std::string(port) + "' is not a number in 1..65535");
    }
    uri.port = static_cast<uint16_t>(value);
  } else {
    uri.port = uri.scheme == Scheme::kHttps ? 443 : 80;
  }
  return UriResult{uri, ""};
}

}  // namespace

std::string Uri::schemeName() const {
  switch (scheme) {
    case Scheme::kHttp:
      return "http";
    case Scheme::kHttps:
      return "https";
    case Scheme::kFile:
      return "file";
  }
  return "http";
}

std::string Uri::toString() const {
  if (scheme == Scheme::kFile) {
    return "file://" + target;
  }
  std::string out = schemeName() + "://" + host;
  if (explicit_port) {
    out += ":" + std::to_string(port);
  }
  return out + target;
}

UriResult parseUri(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7f) {
      return failure(text, "contains a space or control character at offset " + std::to_string(i));
    }
  }
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return failure(text, "not an absolute URI (expected scheme://...; schemes: http, https, file)");
  }
  const std::string scheme = lower(text.substr(0, sep));
  Uri uri;
  if (scheme == "http") {
    uri.scheme = Scheme::kHttp;
  } else if (scheme == "https") {
    uri.scheme = Scheme::kHttps;
  } else if (scheme == "file") {
    uri.scheme = Scheme::kFile;
  } else {
    return failure(text, "unsupported scheme '" + scheme + "' (allowed: http, https, file)");
  }
  std::string_view rest = text.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));  // the fragment never reaches a server
  const size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  const std::string_view target =
      end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (uri.scheme == Scheme::kFile) {
    if (!authority.empty() && lower(authority) != "localhost") {
      return failure(text, "a file URI names no host other than 'localhost' (got '" +
                               std::string(authority) + "')");
    }
    if (target.empty() || target.front() != '/') {
      return failure(text, "a file URI needs an absolute path (file:///path)");
    }
    auto decoded = percentDecode(target.substr(0, target.find('?')));
    if (!decoded) {
      return failure(text, "malformed percent-escape in the path");
    }
    if (decoded->find('\0') != std::string::npos) {
      return failure(text, "the path contains a NUL byte");
    }
    uri.target = removeDotSegments(*decoded);
    return UriResult{uri, ""};
  }
  UriResult result = parseAuthority(text, authority, uri);
  if (!result) {
    return result;
  }
  result.uri->target = normalizeTarget(target);
  return result;
}

UriResult resolve(const Uri& base, std::string_view relative) {
  const std::string_view ref = relative.substr(0, relative.find('#'));
  const size_t colon = ref.find(':');
  const size_t first_delim = ref.find_first_of("/?");
  if (colon != std::string_view::npos &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    return parseUri(ref);  // it has a scheme of its own
  }
  if (ref.substr(0, 2) == "//") {
    return parseUri(base.schemeName() + ":" + std::string(ref));
  }
  std::string base_text = base.toString();
  if (base.scheme == Scheme::kFile) {
    base_text = "file://" + base.target;  // already decoded; re-parse only needs the prefix
  }
  const size_t prefix_len = base_text.size() - base.target.size();
  const std::string prefix = base_text.substr(0, prefix_len);
  const std::string base_path = base.target.substr(0, base.target.find('?'));
  std::string target;
  if (ref.empty()) {
    target = base.target;
  } else if (ref.front() == '/') {
    target = std::string(ref);
  } else if (ref.front() == '?') {
    target = base_path + std::string(ref);
  } else {
    const size_t slash = base_path.rfind('/');
    target = (slash == std::string::npos ? "/" : base_path.substr(0, slash + 1)) + std::string(ref);
  }
  if (base.scheme == Scheme::kFile) {
    UriResult r{base, ""};
    auto decoded = percentDecode(target.substr(0, target.find('?')));
    if (!decoded) {
      return failure(relative, "malformed percent-escape in the path");
    }
    r.uri->target = removeDotSegments(*decoded);
    return r;
  }
  return parseUri(prefix + target);
}

}  // namespace jobengine::adapter
