// deadletter_filter.hpp — the dead-letter filter of GET /deadletter (query parameters) and
// POST /deadletter/replay (the body's "filter" object): jobType, errorClass, fingerprint,
// since (SPEC §4). Pure: the glue hands in a JSON object of the given values.
//
// Every field is optional; an empty filter matches everything. Values:
//   jobType      1..200 chars              errorClass  transient | permanent | unknown
//   fingerprint  "sha256:" + 64 hex        since       RFC 3339 date-time (created_at >= since)
// Unknown fields are refused, so a typo ("errorclass") never widens a batch replay.
// The status of a bad value depends on where it came from: 400 for a query parameter
// (malformed request), 422 for a body field (semantically invalid).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/ops_validation.hpp"

namespace jobengine::scheduler {

struct DeadLetterFilter {
  std::optional<std::string> job_type;
  std::optional<std::string> error_class;
  std::optional<std::string> fingerprint;
  std::optional<std::string> since;  // normalized RFC 3339 (UTC, microseconds)
  // The filter echoed back in camelCase (dry runs show what they matched against).
  nlohmann::json toJson() const;
};

struct DeadLetterFilterResult {
  DeadLetterFilter filter;
  std::optional<FieldError> error;
};

// `values` is a JSON object of strings; error_status is 400 (query) or 422 (body).
DeadLetterFilterResult parseDeadLetterFilter(const nlohmann::json& values, int error_status,
                                             const std::string& field_prefix);

}  // namespace jobengine::scheduler
