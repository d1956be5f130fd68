// FeedUpstream's answers (see feed_mirror.hpp): mirror files, conditional requests and the NVD
// CVE API 2.0 emulation. No Beast here; the server in feed_upstream.cpp only carries bytes.
#include "feed_mirror.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "jobengine/adapter/http_date.hpp"
#include "jobengine/adapter/sha256.hpp"
#include "jobengine/time_format.hpp"

namespace jobengine::testing {
namespace feed_mirror_detail {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

MirrorResponse error(int status, const std::string& message) {
  MirrorResponse r;
  r.status = status;
  r.body = nlohmann::json{{"error", message}}.dump();
  r.headers = {{"Content-Type", "application/json"}, {"message", message}};
  return r;
}

std::optional<std::string> percentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size() || std::isxdigit(static_cast<unsigned char>(s[i + 1])) == 0 ||
          std::isxdigit(static_cast<unsigned char>(s[i + 2])) == 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool etagListMatches(const std::string& list, const std::string& etag) {
  auto strip = [](std::string t) {
    const auto b = t.find_first_not_of(" \t");
    const auto e = t.find_last_not_of(" \t");
    t = b == std::string::npos ? "" : t.substr(b, e - b + 1);
    return t.rfind("W/", 0) == 0 ? t.substr(2) : t;
  };
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const std::string tag = strip(item);
    if (tag == "*" || tag == strip(etag)) {
      return true;
    }
  }
  return false;
}

// An NVD date parameter or cve.lastModified: RFC 3339 with or without a zone (none = UTC).
// A '+' of an offset arrives as ' ' when the client did not percent-encode it.
std::optional<std::chrono::system_clock::time_point> nvdTime(std::string text) {
  std::replace(text.begin(), text.end(), ' ', '+');
  if (text.size() >= 19 && text.find_first_of("Zz+", 19) == std::string::npos &&
      text.find('-', 19) == std::string::npos) {
    text += 'Z';
  }
  return sdk::parseRfc3339(text);
}

std::optional<int64_t> nonNegative(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(s);
}

}  // namespace feed_mirror_detail

using namespace feed_mirror_detail;

std::string contentTypeFor(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") {
    return "application/json";
  }
  if (ext == ".csv") {
    return "text/csv";
  }
  return "application/octet-stream";
}

MirrorResponse answerBytes(const std::string& bytes, const std::string& content_type,
                           int64_t mtime_seconds, const MirrorRequest& request) {
  const std::string etag = "\"" + adapter::sha256Hex(bytes) + "\"";
  const auto mtime =
      std::chrono::system_clock::from_time_t(static_cast<std::time_t>(mtime_seconds));
  const std::string last_modified = adapter::formatHttpDate(mtime);
  MirrorResponse r;
  r.headers = {{"ETag", etag}, {"Last-Modified", last_modified}};
  bool not_modified = false;
  if (request.if_none_match) {
    not_modified = etagListMatches(*request.if_none_match, etag);
  } else if (request.if_modified_since) {
    const auto since = adapter::parseHttpDate(*request.if_modified_since);
    not_modified = since && mtime <= *since;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.body = bytes;
  r.headers.emplace_back("Content-Type", content_type);
  return r;
}

MirrorResponse answerNvd(const fs::path& root, const std::string& query) {
  std::map<std::string, std::string> params;
  std::stringstream ss(query);
  std::string pair;
  while (std::getline(ss, pair, '&')) {
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq), true);
    auto value = percentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) {
      return error(400, "malformed percent-escape in query parameter '" + pair + "'");
    }
    if (*name != "startIndex" && *name != "resultsPerPage" && *name != "lastModStartDate" &&
        *name != "lastModEndDate" && *name != "cveId") {
      return error(400, "unsupported parameter '" + *name +
                            "' (this emulation knows startIndex, resultsPerPage, "
                            "lastModStartDate, lastModEndDate, cveId)");
    }
    params[*name] = *value;
  }
  int64_t start_index = 0;
  int64_t per_page = 2000;
  if (params.count("startIndex") != 0) {
    const auto v = nonNegative(params["startIndex"]);
    if (!v) {
      return error(400, "startIndex '" + params["startIndex"] + "' is not a non-negative integer");
    }
    start_index = *v;
  }
  if (params.count("resultsPerPage") != 0) {
    const auto v = nonNegative(params["resultsPerPage"]);
    if (!v || *v < 1 || *v > 2000) {
      return error(400, "resultsPerPage '" + params["resultsPerPage"] + "' is not in 1..2000");
    }
    per_page = *v;
  }
  const bool has_start = params.count("lastModStartDate") != 0;
  const bool has_end = params.count("lastModEndDate") != 0;
  if (has_start != has_end) {
    return error(400, "lastModStartDate and lastModEndDate must be given together");
  }
  std::optional<std::chrono::system_clock::time_point> from;
  std::optional<std::chrono::system_clock::time_point> to;
  if (has_start) {
    from = nvdTime(params["lastModStartDate"]);
    to = nvdTime(params["lastModEndDate"]);
    if (!from || !to) {
      return error(400, "lastModStartDate / lastModEndDate must be ISO-8601 date-times, got '" +
                            params["lastModStartDate"] + "' / '" + params["lastModEndDate"] + "'");
    }
    // As the real API: "The maximum allowable range when using any date range parameters is
    // 120 consecutive days."
    if (*to - *from > std::chrono::hours(24 * 120)) {
      return error(400, "the range lastModStartDate '" + params["lastModStartDate"] +
                            "' .. lastModEndDate '" + params["lastModEndDate"] +
                            "' is longer than 120 days");
    }
  }
  // Pages in startIndex order, as the file names say ("page-2000.json").
  std::vector<std::pair<int64_t, fs::path>> pages;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "nvd", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("page-", 0) != 0 || entry.path().extension() != ".json") {
      continue;
    }
    const auto index = nonNegative(name.substr(5, name.size() - 5 - 5));
    if (index) {
      pages.emplace_back(*index, entry.path());
    }
  }
  std::sort(pages.begin(), pages.end());
  std::vector<ordered_json> all;
  for (const auto& [index, path] : pages) {
    std::ifstream in(path, std::ios::binary);
    const ordered_json page = ordered_json::parse(in, nullptr, false);
    if (page.is_discarded() || !page.contains("vulnerabilities") ||
        !page["vulnerabilities"].is_array()) {
      return error(500, path.string() + " is not an NVD 2.0 page (no vulnerabilities array)");
    }
    for (const auto& v : page["vulnerabilities"]) {
      const std::string id = v.value("/cve/id"_json_pointer, std::string());
      if (params.count("cveId") != 0 && id != params["cveId"]) {
        continue;
      }
      if (from) {
        const auto modified = nvdTime(v.value("/cve/lastModified"_json_pointer, std::string()));
        if (!modified || *modified < *from || *modified > *to) {
          continue;
        }
      }
      all.push_back(v);
    }
  }
  ordered_json body;
  const auto total = static_cast<int64_t>(all.size());
  const int64_t begin = std::min(start_index, total);
  const int64_t end = std::min(total, begin + per_page);
  ordered_json slice = ordered_json::array();
  for (int64_t i = begin; i < end; ++i) {
    slice.push_back(all[static_cast<size_t>(i)]);
  }
  std::string timestamp = sdk::nowRfc3339();
  timestamp.pop_back();  // NVD writes its timestamps without the zone
  body["resultsPerPage"] = end - begin;
  body["startIndex"] = start_index;
  body["totalResults"] = total;
  body["format"] = "NVD_CVE";
  body["version"] = "2.0";
  body["timestamp"] = timestamp;
  body["vulnerabilities"] = std::move(slice);
  MirrorResponse r;
  r.body = body.dump();
  r.headers = {{"Content-Type", "application/json"}};
  return r;
}

MirrorResponse answerMirror(const fs::path& root, const MirrorRequest& request) {
  if (request.method != "GET") {
    auto r = error(405, "method " + request.method + " not allowed (GET only)");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  const auto q = request.target.find('?');
  const std::string raw_path = request.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  if (raw_path == kNvdApiPath) {
    return answerNvd(root, query);
  }
  const auto path = percentDecode(raw_path, false);
  if (!path || path->empty() || path->front() != '/') {
    return error(400, "malformed path '" + raw_path + "'");
  }
  if (path->find('\0') != std::string::npos || path->find('\\') != std::string::npos) {
    return error(400, "path '" + raw_path + "' contains a NUL or a backslash");
  }
  std::stringstream segments(*path);
  std::string segment;
  while (std::getline(segments, segment, '/')) {
    if (segment == "..") {
      return error(400, "path '" + raw_path + "' tries to leave the mirror root");
    }
  }
  const fs::path file = root / fs::path(path->substr(1));
  std::error_code ec;
  const fs::path canonical_root = fs::weakly_canonical(root, ec);
  const fs::path canonical = fs::weakly_canonical(file, ec);
  const auto rel = canonical.lexically_relative(canonical_root).string();
  if (ec || rel.empty() || rel.rfind("..", 0) == 0 || !fs::is_regular_file(canonical, ec)) {
    return error(404, "no file at " + raw_path + " in the mirror");
  }
  std::ifstream in(canonical, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  struct stat st {};
  if (!in || ::stat(canonical.c_str(), &st) != 0) {
    return error(500, "cannot read " + canonical.string());
  }
  return answerBytes(bytes.str(), contentTypeFor(canonical),
                     static_cast<int64_t>(st.st_mtim.tv_sec), request);
}

}  // namespace jobengine::testing
