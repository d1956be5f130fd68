// The GET /audit filters (README.md, "Routes"), parsed and checked as a pure function so each
// rule is unit tested and the route only carries the result: a filter the store binds to
// parameters, or the field at fault with a message saying what is allowed (the route answers
// 422 VALIDATION_FAILED with details.field).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace jobengine::audit {

struct AuditFilter {
  std::optional<std::string> from;           // occurredAt >= from (RFC 3339 as given)
  std::optional<std::string> to;             // occurredAt < to
  std::optional<std::string> actor;          // actor.subject, exact
  std::optional<std::string> action;         // eventType, exact
  std::optional<std::string> action_prefix;  // eventType prefix ("job." for `job.*`)
  std::optional<std::string> subject_kind;   // `kind:id`: both; `id`: the id of any kind
  std::optional<std::string> subject_id;
};

struct FilterError {
  std::string field;    // the query parameter
  std::string message;  // "<field>: what was wrong (what is allowed)"
};

struct ParsedFilter {
  AuditFilter filter;
  std::optional<FilterError> error;
};

// Parses the raw query values (absent keys: no filter; an empty value is refused, since it
// would match nothing or everything by accident). Checks: from/to RFC 3339 date-times with
// from < to; actor 1..256 bytes; action an event type ([a-z0-9_.-], 1..128) or a prefix ending
// in ".*" (or "*" for every type); subject 1..256 bytes, `kind:id` when it holds a ':' whose
// kind is [a-z_]+.
ParsedFilter parseAuditFilter(const std::map<std::string, std::string>& query);

// The LIKE pattern for action_prefix: the prefix with LIKE's wildcards escaped, then '%'.
std::string likePrefix(const std::string& prefix);

}  // namespace jobengine::audit
