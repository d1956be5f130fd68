// ETag formatting/parsing and If-Match evaluation (see etag.hpp).
#include "api/etag.hpp"

#include <charconv>

namespace jobengine::host {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string makeEtag(uint64_t version, bool weak) {
  return std::string(weak ? "W/" : "") + "\"v" + std::to_string(version) + "\"";
}

std::optional<uint64_t> parseEtagVersion(std::string_view etag) {
  etag = trim(etag);
  if (etag.substr(0, 2) == "W/") {
    etag.remove_prefix(2);
  }
  if (etag.size() < 4 || etag.front() != '"' || etag.back() != '"' || etag[1] != 'v') {
    return std::nullopt;
  }
  const std::string_view digits = etag.substr(2, etag.size() - 3);
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<HttpError> checkIfMatch(std::optional<std::string_view> if_match,
                                      uint64_t current_version, bool required) {
  if (!if_match || trim(*if_match).empty()) {
    if (required) {
      return makeHttpError(428, "PRECONDITION_REQUIRED",
                           "If-Match is required: send the ETag from the last GET",
                           {{"header", "If-Match"}, {"currentEtag", makeEtag(current_version)}});
    }
    return std::nullopt;
  }
  std::string_view rest = trim(*if_match);
  if (rest == "*") {
    return std::nullopt;
  }
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto tag = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (const auto v = parseEtagVersion(tag); v && *v == current_version) {
      return std::nullopt;
    }
  }
  return makeHttpError(412, "PRECONDITION_FAILED",
                       "If-Match does not match the current version (the resource changed; GET it "
                       "again and retry)",
                       {{"header", "If-Match"}, {"currentEtag", makeEtag(current_version)}});
}

}  // namespace jobengine::host
