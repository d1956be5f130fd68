// See audit_query.hpp.
#include "core/audit_query.hpp"

#include <jobengine/time_format.hpp>

namespace jobengine::audit {
namespace {

constexpr std::size_t kMaxText = 256;
constexpr std::size_t kMaxEventType = 128;

bool isEventTypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool isKindChar(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

FilterError fieldError(const std::string& field, const std::string& message) {
  return FilterError{field, field + ": " + message};
}

std::optional<FilterError> parseTime(const std::map<std::string, std::string>& query,
                                     const char* field, std::optional<std::string>& out) {
  const auto it = query.find(field);
  if (it == query.end()) {
    return std::nullopt;
  }
  if (!sdk::parseRfc3339(it->second)) {
    return fieldError(field, "'" + it->second.substr(0, 64) +
                                 "' is not an RFC 3339 date-time (e.g. 2026-12-06T10:00:00Z)");
  }
  out = it->second;
  return std::nullopt;
}

std::optional<FilterError> parseAction(const std::string& raw, AuditFilter& filter) {
  std::string type = raw;
  bool prefix = false;
  if (raw == "*") {
    filter.action_prefix = "";
    return std::nullopt;
  }
  if (raw.size() > 2 && raw.compare(raw.size() - 2, 2, ".*") == 0) {
    type = raw.substr(0, raw.size() - 1);  // keep the dot: "job.*" -> "job."
    prefix = true;
  }
  bool ok = !type.empty() && type.size() <= kMaxEventType;
  for (const char c : type) {
    ok = ok && isEventTypeChar(c);
  }
  if (!ok) {
    return fieldError("action", "'" + raw.substr(0, 64) +
                                    "' is not an event type ([a-z0-9_.-], 1..128 bytes) or a "
                                    "prefix such as job.* (or * for every type)");
  }
  (prefix ? filter.action_prefix : filter.action) = type;
  return std::nullopt;
}

std::optional<FilterError> parseSubject(const std::string& raw, AuditFilter& filter) {
  if (raw.size() > kMaxText) {
    return fieldError("subject", "at most 256 bytes (kind:id or id)");
  }
  const auto colon = raw.find(':');
  if (colon == std::string::npos) {
    filter.subject_id = raw;
    return std::nullopt;
  }
  const std::string kind = raw.substr(0, colon);
  const std::string id = raw.substr(colon + 1);
  bool ok = !kind.empty() && !id.empty();
  for (const char c : kind) {
    ok = ok && isKindChar(c);
  }
  if (!ok) {
    return fieldError("subject", "'" + raw.substr(0, 64) +
                                     "' is not kind:id (kind [a-z_]+, e.g. job:<uuid>) or an id");
  }
  filter.subject_kind = kind;
  filter.subject_id = id;
  return std::nullopt;
}

}  // namespace

ParsedFilter parseAuditFilter(const std::map<std::string, std::string>& query) {
  ParsedFilter out;
  AuditFilter& f = out.filter;
  for (const char* field : {"from", "to", "actor", "action", "subject"}) {
    const auto it = query.find(field);
    if (it != query.end() && it->second.empty()) {
      out.error = fieldError(field, "must not be empty (leave the parameter out for no filter)");
      return out;
    }
  }
  if ((out.error = parseTime(query, "from", f.from)) ||
      (out.error = parseTime(query, "to", f.to))) {
    return out;
  }
  if (f.from && f.to && *sdk::parseRfc3339(*f.from) >= *sdk::parseRfc3339(*f.to)) {
    out.error = fieldError("to", "must be later than from (" + *f.from + ")");
    return out;
  }
  if (const auto it = query.find("actor"); it != query.end()) {
    if (it->second.size() > kMaxText) {
      out.error = fieldError("actor", "at most 256 bytes (a token subject)");
      return out;
    }
    f.actor = it->second;
  }
  if (const auto it = query.find("action"); it != query.end()) {
    if ((out.error = parseAction(it->second, f))) {
      return out;
    }
  }
  if (const auto it = query.find("subject"); it != query.end()) {
    if ((out.error = parseSubject(it->second, f))) {
      return out;
    }
  }
  return out;
}

std::string likePrefix(const std::string& prefix) {
  std::string out;
  for (const char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace jobengine::audit
