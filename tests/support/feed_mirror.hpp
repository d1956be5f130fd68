// feed_mirror.hpp — what FeedUpstream (feed_upstream.hpp) answers, as plain functions of a
// mirror root and a request, apart from the Beast server so they compile fast and read easily:
// files under the root with ETag / Last-Modified and conditional requests, and an emulation of
// the NVD CVE API 2.0 over the mirror's nvd/page-*.json files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobengine::testing {

struct MirrorRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
};

struct MirrorResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length
};

// The NVD API path the emulation answers on.
inline constexpr const char* kNvdApiPath = "/nvd/rest/json/cves/2.0";

// GET of a file under `root` (200 / 304 / 404; 400 for a path that tries to leave the root)
// or of the NVD API path. Anything but GET is 405.
MirrorResponse answerMirror(const std::filesystem::path& root, const MirrorRequest& request);

// `bytes` served as a file would be (ETag from the bytes, Last-Modified `mtime_seconds`),
// conditional requests included. FeedUpstream::overrideBody uses it.
MirrorResponse answerBytes(const std::string& bytes, const std::string& content_type,
                           int64_t mtime_seconds, const MirrorRequest& request);

// The NVD CVE API 2.0 answer for `query` (the text after '?'): every CVE in
// <root>/nvd/page-*.json, pages ordered by the startIndex in their file name, filtered by
// cve.lastModified in [lastModStartDate, lastModEndDate] (both or neither, at most 120 days
// apart as the real API demands) and by cveId,
// sliced by startIndex / resultsPerPage (default and maximum 2000). Other parameters are 400.
MirrorResponse answerNvd(const std::filesystem::path& root, const std::string& query);

// "application/json" for .json, "text/csv" for .csv, else "application/octet-stream".
std::string contentTypeFor(const std::filesystem::path& path);

}  // namespace jobengine::testing
