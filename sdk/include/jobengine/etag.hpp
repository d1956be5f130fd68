// etag.hpp — SPEC §5 optimistic concurrency for editable resources (sources, quotas,
// schedules): ETags derived from a row version, and the If-Match / If-None-Match checks.
// Header-only; needs nlohmann_json only. Pure functions; safe from any thread.
//
// A resource's integer version increments on every change; its ETag is "v<version>" in quotes
// (strong) or W/"v<version>" (weak). The version is an exact identity of the representation,
// so a weak tag naming it is accepted wherever a strong one is (RFC 9110 asks If-Match for
// strong comparison; a version-derived weak tag carries the same information).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jobengine/client_error.hpp"

namespace jobengine::sdk {

namespace etag_detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace etag_detail

inline std::string makeEtag(uint64_t version, bool weak = false) {
  return std::string(weak ? "W/" : "") + "\"v" + std::to_string(version) + "\"";
}

// The version inside one ETag ("\"v7\"" or W/"v7"); nullopt for anything else.
inline std::optional<uint64_t> parseEtagVersion(std::string_view etag) {
  etag = etag_detail::trim(etag);
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

// True when an If-Match / If-None-Match value is "*" or a comma-separated list in which some
// ETag names `version`.
inline bool etagListMatches(std::string_view header, uint64_t version) {
  std::string_view rest = etag_detail::trim(header);
  if (rest == "*") {
    return true;
  }
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto tag = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (const auto v = parseEtagVersion(tag); v && *v == version) {
      return true;
    }
  }
  return false;
}

// If-Match against the current version: absent (or blank) → ok unless `required`, then 428
// PRECONDITION_REQUIRED; "*" → ok; a list → ok when one ETag names `current_version`;
// otherwise 412 PRECONDITION_FAILED. Both refusals carry details.currentEtag.
inline std::optional<ClientError> checkIfMatch(std::optional<std::string_view> if_match,
                                               uint64_t current_version, bool required = false) {
  const nlohmann::json details = {{"header", "If-Match"},
                                  {"currentEtag", makeEtag(current_version)}};
  if (!if_match || etag_detail::trim(*if_match).empty()) {
    if (!required) {
      return std::nullopt;
    }
    return ClientError{428, "PRECONDITION_REQUIRED",
                       "If-Match is required: send the ETag from the last GET", details};
  }
  if (etagListMatches(*if_match, current_version)) {
    return std::nullopt;
  }
  return ClientError{412, "PRECONDITION_FAILED",
                     "If-Match " + std::string(etag_detail::trim(*if_match).substr(0, 128)) +
                         " does not match the current ETag " + makeEtag(current_version) +
                         " (the resource changed; GET it again and retry with its ETag)",
                     details};
}

}  // namespace jobengine::sdk
