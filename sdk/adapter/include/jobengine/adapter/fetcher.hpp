// jobengine/adapter/fetcher.hpp — one document fetch, from http(s) through libcurl or from an
// offline mirror through file://, with conditional requests and a body size cap. This is the
// transport only: no egress guard and no request budget (UpstreamClient adds both), and it does
// NOT follow redirects — a 3xx comes back with `location` so UpstreamClient can re-check the
// guard and the budget for every hop. Safe from any thread: one curl easy handle per call;
// curl_global_init runs once, on the first call.
//
// file:// answers like a server would: 200 with the bytes, etag = the quoted sha256 digest of
// the content ("\"sha256:...\""), last_modified = the file's mtime as an HTTP-date;
// if_none_match naming that etag (or if_modified_since not older than the mtime, when there is
// no if_none_match) gives status 304, not_modified and an empty body.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobengine::adapter {

struct FetchRequest {
  std::string uri;
  std::optional<std::string> if_none_match;       // an ETag from an earlier response, as sent
  std::optional<std::string> if_modified_since;   // an HTTP-date from an earlier Last-Modified
  std::chrono::milliseconds timeout{30000};       // the whole transfer, connect included
  int64_t max_bytes = int64_t{64} * 1024 * 1024;  // decoded body bytes; more is FETCH_TOO_LARGE
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
};

struct FetchResponse {
  int status = 0;             // the HTTP status (file://: 200, 304 or 404); 0 when none arrived
  bool not_modified = false;  // status 304
  std::string body;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<int64_t> retry_after_seconds;  // Retry-After, an HTTP-date turned into seconds
  std::optional<std::string> location;         // a 3xx's Location, as sent
  // Empty when the request was answered with 2xx or 304. Transport failures: FETCH_TIMEOUT,
  // FETCH_CONNECT, FETCH_TLS, FETCH_TRANSFER, FETCH_TOO_LARGE, FETCH_DECODE, FETCH_BAD_HEADER,
  // FETCH_FAILED, FETCH_FILE_NOT_FOUND, FETCH_FILE_READ, URI_INVALID. UpstreamClient adds its own
  // (README.md).
  std::string error_code;
  std::string error_message;
  bool transient = false;  // worth retrying later (timeouts, connection errors, 429, 5xx)
  // UpstreamClient only: when to retry (RATE_LIMITED, or a 429/503 with Retry-After).
  std::optional<std::chrono::system_clock::time_point> retry_at;
  std::string final_uri;  // the URI that answered (after redirects)
  int redirects = 0;      // redirect hops followed

  bool ok() const { return error_code.empty(); }
};

// A request for `uri` with every other field at its default (FetchRequest{uri} trips
// -Wmissing-field-initializers).
inline FetchRequest requestFor(std::string uri) {
  FetchRequest request;
  request.uri = std::move(uri);
  return request;
}

// Why the request's headers cannot be sent (a line break would let a value smuggle in headers of
// its own; names must be non-empty without ':'), or nullopt when they can. fetchOnce refuses such
// a request with FETCH_BAD_HEADER; UpstreamClient checks it first, before the egress guard and
// the request budget, so a request that is never sent takes no budget.
std::optional<std::string> badHeader(const FetchRequest& request);

// One request, no redirects followed. Never throws for transport problems; they come back in
// error_code / error_message.
FetchResponse fetchOnce(const FetchRequest& request);

}  // namespace jobengine::adapter
