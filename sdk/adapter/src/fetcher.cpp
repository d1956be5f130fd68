// The adapter kit's transport (see fetcher.hpp): libcurl for http(s), the file system for
// file://. Redirects are never followed here; UpstreamClient follows them hop by hop.
#include "jobengine/adapter/fetcher.hpp"

#include <curl/curl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "jobengine/adapter/http_date.hpp"
#include "jobengine/adapter/sha256.hpp"
#include "jobengine/adapter/uri.hpp"

namespace jobengine::adapter {
namespace {

namespace fs = std::filesystem;

// curl_global_init is not thread-safe against itself; a function-local static runs it once.
void initCurlOnce() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(rc));
  }
}

// The request's header lines as sent: the extra headers, then the conditional ones.
std::vector<std::pair<std::string, std::string>> headerLines(const FetchRequest& request) {
  std::vector<std::pair<std::string, std::string>> lines = request.headers;
  if (request.if_none_match) {
    lines.emplace_back("If-None-Match", *request.if_none_match);
  }
  if (request.if_modified_since) {
    lines.emplace_back("If-Modified-Since", *request.if_modified_since);
  }
  return lines;
}

FetchResponse failure(std::string code, std::string message, bool transient) {
  FetchResponse r;
  r.error_code = std::move(code);
  r.error_message = std::move(message);
  r.transient = transient;
  return r;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

// Weak comparison (RFC 9110 §13.1.2) of an If-None-Match list against one ETag.
bool etagListMatches(std::string_view list, std::string_view etag) {
  auto strip = [](std::string_view t) { return t.substr(0, 2) == "W/" ? t.substr(2) : t; };
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = list.find(',', pos);
    const std::string item =
        trimmed(list.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (item == "*" || (!item.empty() && strip(item) == strip(etag))) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    pos = comma + 1;
  }
  return false;
}

FetchResponse fetchFile(const FetchRequest& request, const Uri& uri) {
  const fs::path path(uri.target);
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) {
    auto r = failure("FETCH_FILE_NOT_FOUND", "no file at " + path.string(), false);
    r.status = 404;
    return r;
  }
  if (!fs::is_regular_file(status)) {
    auto r = failure("FETCH_FILE_NOT_FOUND", path.string() + " is not a regular file", false);
    r.status = 404;
    return r;
  }
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return failure("FETCH_FILE_READ", "cannot stat " + path.string() + ": " + ec.message(), false);
  }
  if (static_cast<int64_t>(size) > request.max_bytes) {
    return failure("FETCH_TOO_LARGE",
                   path.string() + " has " + std::to_string(size) + " bytes, over the cap of " +
                       std::to_string(request.max_bytes),
                   false);
  }
  struct stat st {};
  std::ifstream in(path, std::ios::binary);
  if (!in || ::stat(path.c_str(), &st) != 0) {
    return failure("FETCH_FILE_READ", "cannot open " + path.string() + " for reading", false);
  }
  std::string body(size, '\0');
  in.read(body.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) {
    return failure("FETCH_FILE_READ", "short read of " + path.string(), true);
  }
  FetchResponse r;
  r.etag = "\"" + sha256Digest(body) + "\"";
  // stat() rather than fs::last_write_time: C++17 has no file_clock -> system_clock conversion.
  const auto sys_mtime = std::chrono::system_clock::from_time_t(st.st_mtim.tv_sec);
  r.last_modified = formatHttpDate(sys_mtime);
  bool not_modified = false;
  if (request.if_none_match) {
    not_modified = etagListMatches(*request.if_none_match, *r.etag);
  } else if (request.if_modified_since) {
    const auto since = parseHttpDate(*request.if_modified_since);
    not_modified = since && std::chrono::time_point_cast<std::chrono::seconds>(sys_mtime) <= *since;
  }
  if (not_modified) {
    r.status = 304;
    r.not_modified = true;
    return r;
  }
  r.status = 200;
  r.body = std::move(body);
  return r;
}

struct Transfer {
  FetchResponse response;
  int64_t max_bytes = 0;
  bool too_large = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(t.response.body.size() + n) > t.max_bytes) {
    t.too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t.response.body.append(data, n);
  return n;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto& r = static_cast<Transfer*>(user)->response;
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {  // a new response (e.g. after 100 Continue): start over
    r.etag.reset();
    r.last_modified.reset();
    r.retry_after_seconds.reset();
    r.location.reset();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return n;
  }
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = trimmed(line.substr(colon + 1));
  if (name == "etag") {
    r.etag = std::move(value);
  } else if (name == "last-modified") {
    r.last_modified = std::move(value);
  } else if (name == "retry-after") {
    r.retry_after_seconds = parseRetryAfter(value, std::chrono::system_clock::now());
  } else if (name == "location") {
    r.location = std::move(value);
  }
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Maps a failed transfer to the kit's codes.
FetchResponse transportFailure(CURLcode rc, const std::string& detail, const std::string& uri,
                               const FetchRequest& request) {
  const std::string what = "GET " + uri + ": " + (detail.empty() ? curl_easy_strerror(rc) : detail);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return failure("FETCH_TIMEOUT",
                     what + " (timeout " + std::to_string(request.timeout.count()) + " ms)", true);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return failure("FETCH_CONNECT", what, true);
    case CURLE_SSL_CONNECT_ERROR:
      return failure("FETCH_TLS", what, true);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return failure("FETCH_TLS", what, false);
    case CURLE_FILESIZE_EXCEEDED:
      return failure("FETCH_TOO_LARGE",
                     "GET " + uri + ": the announced Content-Length exceeds the cap of " +
                         std::to_string(request.max_bytes) + " bytes",
                     false);
    case CURLE_BAD_CONTENT_ENCODING:
      return failure("FETCH_DECODE", what, false);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return failure("FETCH_TRANSFER", what, true);
    default:
      return failure("FETCH_FAILED", what, false);
  }
}

FetchResponse fetchHttp(const FetchRequest& request, const Uri& uri) {
  initCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    return failure("FETCH_FAILED", "curl_easy_init failed", true);
  }
  CURL* h = curl.get();
  const std::string url = uri.toString();
  Transfer t;
  t.max_bytes = request.max_bytes;
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  const std::vector<std::pair<std::string, std::string>> lines = headerLines(request);
  if (std::optional<std::string> bad = badHeader(request)) {
    return failure("FETCH_BAD_HEADER", std::move(*bad), false);
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : lines) {
    std::string line = name;
    line += ": ";
    line += value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) {
      return failure("FETCH_FAILED", "curl_slist_append failed (out of memory)", true);
    }
    static_cast<void>(headers.release());
    headers.reset(next);
  }
  const long timeout_ms = static_cast<long>(std::max<int64_t>(1, request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: threads are safe
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl decodes (gzip, ...)
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_bytes));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "jobengine-source-adapter/1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf.data());
  const CURLcode rc = curl_easy_perform(h);
  if (t.too_large) {
    return failure("FETCH_TOO_LARGE",
                   "GET " + url + ": the body exceeds the cap of " +
                       std::to_string(request.max_bytes) + " bytes",
                   false);
  }
  if (rc != CURLE_OK) {
    return transportFailure(rc, errbuf.data(), url, request);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  FetchResponse r = std::move(t.response);
  r.status = static_cast<int>(status);
  r.not_modified = status == 304;
  if (r.not_modified) {
    r.body.clear();
  }
  return r;
}

}  // namespace

std::optional<std::string> badHeader(const FetchRequest& request) {
  const auto bad = [](const std::string& name, const std::string& value) {
    return name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
           value.find_first_of("\r\n") != std::string::npos;
  };
  const std::vector<std::pair<std::string, std::string>> lines = headerLines(request);
  for (const auto& [name, value] : lines) {
    if (bad(name, value)) {
      return "request header '" + name +
             "': names must be non-empty without ':' and neither names nor values may contain CR "
             "or LF";
    }
  }
  return std::nullopt;
}

FetchResponse fetchOnce(const FetchRequest& request) {
  const UriResult parsed = parseUri(request.uri);
  if (!parsed) {
    return failure("URI_INVALID", parsed.error, false);
  }
  FetchResponse r =
      parsed.uri->isNetwork() ? fetchHttp(request, *parsed.uri) : fetchFile(request, *parsed.uri);
  r.final_uri = parsed.uri->toString();
  return r;
}

}  // namespace jobengine::adapter
