// Optimistic concurrency helpers (SPEC §5): ETags from row versions and If-Match checks.
//
// Editable resources (sources, quotas, schedules) carry an integer version that increments on
// every change; its ETag is "\"v<version>\"" (strong) or W/"v<version>" (weak). The version is
// an exact identity of the representation, so If-Match accepts either form (RFC 9110 asks for
// strong comparison; a version-derived weak tag carries the same information). Pure functions.
#pragma once

#include "api/http_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::host {

std::string makeEtag(uint64_t version, bool weak = false);
// The version inside one ETag ("\"v7\"", W/"v7"); nullopt for anything else.
std::optional<uint64_t> parseEtagVersion(std::string_view etag);

// If-Match against the current version: absent → ok unless `required` (then 428
// PRECONDITION_REQUIRED); "*" → ok; a list of ETags → ok when one names `current_version`;
// otherwise 412 PRECONDITION_FAILED with the current ETag in details.
std::optional<HttpError> checkIfMatch(std::optional<std::string_view> if_match,
                                      uint64_t current_version, bool required = false);

}  // namespace jobengine::host
