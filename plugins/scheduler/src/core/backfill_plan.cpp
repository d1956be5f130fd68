// backfill_plan.cpp — see backfill_plan.hpp.
#include "core/backfill_plan.hpp"

#include <jobengine/ids.hpp>
#include <jobengine/time_format.hpp>

namespace jobengine::scheduler {

namespace {

FieldError invalid(const std::string& field, const std::string& what) {
  return FieldError{422, "VALIDATION_FAILED", field + ": " + what, field};
}

std::optional<SysTime> timeField(const nlohmann::json& body, const char* key,
                                 std::optional<FieldError>& error) {
  if (error) {
    return std::nullopt;
  }
  if (!body.contains(key)) {
    error = invalid(key, "required (an RFC 3339 time, e.g. \"2027-03-01T00:00:00Z\")");
    return std::nullopt;
  }
  const auto& v = body[key];
  auto t = v.is_string() ? sdk::parseRfc3339(v.get<std::string>()) : std::nullopt;
  if (!t) {
    error = invalid(key, "must be an RFC 3339 time, e.g. \"2027-03-01T00:00:00Z\"");
  }
  return t;
}

}  // namespace

bool validWatermarkScope(const std::string& scope) {
  if (scope.empty() || scope.size() > 64) {
    return false;
  }
  for (const char c : scope) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

BackfillInput parseBackfillBody(const nlohmann::json& body, int default_window_minutes,
                                int64_t max_windows) {
  BackfillInput out;
  out.request.window_minutes = default_window_minutes;
  std::optional<FieldError>& e = out.error;
  if (!body.is_object()) {
    e = invalid("$", "the body must be a JSON object");
    return out;
  }
  static const char* const kKnown[] = {"sourceId", "from",          "to",
                                       "scope",    "windowMinutes", "dryRun"};
  for (const auto& item : body.items()) {
    bool known = false;
    for (const char* k : kKnown) {
      known = known || item.key() == k;
    }
    if (!known) {
      e = invalid(item.key(),
                  "unknown field (allowed: sourceId, from, to, scope, windowMinutes, dryRun)");
      return out;
    }
  }
  if (!body.contains("sourceId") || !body["sourceId"].is_string() ||
      !sdk::isUuid(body["sourceId"].get<std::string>())) {
    e = invalid("sourceId", "required: a source id (a UUID)");
    return out;
  }
  out.request.source_id = body["sourceId"].get<std::string>();
  const auto from = timeField(body, "from", e);
  const auto to = timeField(body, "to", e);
  if (e) {
    return out;
  }
  if (*from >= *to) {
    e = invalid("to", "must be after from (the window is [from, to))");
    return out;
  }
  out.request.range = TimeWindow{*from, *to};
  if (body.contains("scope")) {
    const auto& s = body["scope"];
    if (!s.is_string() || !validWatermarkScope(s.get<std::string>())) {
      e = invalid("scope", "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
      return out;
    }
    out.request.scope = s.get<std::string>();
  }
  if (body.contains("windowMinutes")) {
    const auto& w = body["windowMinutes"];
    if (!w.is_number_integer() || w.get<int64_t>() < 1 || w.get<int64_t>() > kMaxWindowMinutes) {
      e = invalid("windowMinutes",
                  "must be an integer from 1 to " + std::to_string(kMaxWindowMinutes));
      return out;
    }
    out.request.window_minutes = static_cast<int>(w.get<int64_t>());
  }
  if (body.contains("dryRun")) {
    if (!body["dryRun"].is_boolean()) {
      e = invalid("dryRun", "must be true or false");
      return out;
    }
    out.request.dry_run = body["dryRun"].get<bool>();
  }
  const int64_t count =
      windowCount(out.request.range, std::chrono::minutes(out.request.window_minutes));
  if (count > max_windows) {
    e = invalid("windowMinutes", "[from, to) makes " + std::to_string(count) + " windows of " +
                                     std::to_string(out.request.window_minutes) +
                                     " minutes; at most " + std::to_string(max_windows) +
                                     " are allowed: choose a larger windowMinutes or a shorter "
                                     "range");
  }
  return out;
}

int64_t windowCount(const TimeWindow& range, std::chrono::minutes size) {
  if (range.from >= range.to || size.count() <= 0) {
    return 0;
  }
  const auto span = std::chrono::duration_cast<std::chrono::microseconds>(range.to - range.from);
  const auto step = std::chrono::duration_cast<std::chrono::microseconds>(size);
  return (span.count() + step.count() - 1) / step.count();
}

std::vector<TimeWindow> planWindows(const TimeWindow& range, std::chrono::minutes size) {
  std::vector<TimeWindow> out;
  const int64_t n = windowCount(range, size);
  out.reserve(static_cast<size_t>(n));
  SysTime at = range.from;
  for (int64_t i = 0; i < n; ++i) {
    const SysTime end = (range.to - at > size) ? at + size : range.to;
    out.push_back(TimeWindow{at, end});
    at = end;
  }
  return out;
}

bool overlaps(const TimeWindow& a, const TimeWindow& b) { return a.from < b.to && b.from < a.to; }

}  // namespace jobengine::scheduler
