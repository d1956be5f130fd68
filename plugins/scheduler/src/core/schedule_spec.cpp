// schedule_spec.cpp — see schedule_spec.hpp.
#include "core/schedule_spec.hpp"

#include <jobengine/time_format.hpp>

#include <vector>

namespace jobengine::scheduler {

namespace {

constexpr int64_t kMaxLagMinutes = 525600;
constexpr int kMaxParallelRuns = 1000;
constexpr int kMaxPreviewCount = 1000;

std::optional<FieldError> unknownKey(const nlohmann::json& body, const std::string& prefix,
                                     const std::vector<std::string>& allowed) {
  for (const auto& item : body.items()) {
    std::string list;
    bool known = false;
    for (const auto& a : allowed) {
      known = known || a == item.key();
      list += (list.empty() ? "" : ", ") + a;
    }
    if (!known) {
      const std::string field = prefix + item.key();
      return FieldError{422, "UNKNOWN_FIELD", field + ": unknown field (allowed: " + list + ")",
                        field};
    }
  }
  return std::nullopt;
}

// An integer field in [min, max]; absent keeps `out`.
std::optional<FieldError> intField(const nlohmann::json& body, const char* key,
                                   const std::string& prefix, int64_t min, int64_t max, int& out) {
  if (!body.contains(key)) {
    return std::nullopt;
  }
  const auto& v = body.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    return validationFailed(prefix + key, "must be an integer from " + std::to_string(min) +
                                              " to " + std::to_string(max));
  }
  out = static_cast<int>(v.get<int64_t>());
  return std::nullopt;
}

std::optional<FieldError> stringField(const nlohmann::json& body, const char* key,
                                      const std::string& prefix, std::string& out) {
  if (!body.contains(key)) {
    return std::nullopt;
  }
  if (!body.at(key).is_string()) {
    return validationFailed(prefix + key, "must be a string");
  }
  out = body.at(key).get<std::string>();
  return std::nullopt;
}

bool isUuidText(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

ParsedSchedule parseCronAndZone(const std::string& cron, const std::string& time_zone,
                                const std::string& prefix) {
  ParsedSchedule out;
  auto parsed = CronExpression::parse(cron);
  if (const auto* error = std::get_if<CronError>(&parsed)) {
    out.error = validationFailed(prefix + "cron", error->message);
    return out;
  }
  out.cron = std::get<CronExpression>(std::move(parsed));
  out.zone = loadTimeZone(time_zone);
  if (!out.zone) {
    out.error = validationFailed(prefix + "timeZone", "'" + time_zone +
                                                          "' is not a known IANA time zone (e.g. "
                                                          "\"Europe/Berlin\", \"UTC\")");
  }
  return out;
}

ScheduleInput parseScheduleBody(const nlohmann::json& body, ScheduleBody kind) {
  ScheduleInput out;
  const std::string prefix = kind == ScheduleBody::kOfSource ? "schedule." : "";
  if (!body.is_object()) {
    out.error = kind == ScheduleBody::kOfSource
                    ? validationFailed("schedule",
                                       "must be an object {cron, timeZone, maxParallelRuns, "
                                       "maxLagMinutes, catchUp, enabled}")
                    : FieldError{400, "INVALID_BODY", "the body must be a JSON object", ""};
    return out;
  }
  std::vector<std::string> allowed = {"cron",          "timeZone", "maxParallelRuns",
                                      "maxLagMinutes", "catchUp",  "enabled"};
  if (kind != ScheduleBody::kOfSource) {
    allowed.insert(allowed.begin(), "sourceId");
  }
  if (auto e = unknownKey(body, prefix, allowed)) {
    out.error = e;
    return out;
  }
  auto& f = out.fields;
  if (body.contains("sourceId")) {
    const auto& v = body["sourceId"];
    if (!v.is_string() || !isUuidText(v.get<std::string>())) {
      out.error = validationFailed("sourceId", "must be a source id (a lower-case UUID)");
      return out;
    }
    f.source_id = v.get<std::string>();
  } else if (kind == ScheduleBody::kCreate) {
    out.error = validationFailed("sourceId", "is required");
    return out;
  }
  if (!body.contains("cron")) {
    out.error =
        validationFailed(prefix + "cron", "is required, e.g. \"*/15 * * * *\" or \"@daily\"");
    return out;
  }
  std::optional<FieldError> e = stringField(body, "cron", prefix, f.cron);
  if (!e) {
    e = stringField(body, "timeZone", prefix, f.time_zone);
  }
  if (!e) {
    e = intField(body, "maxParallelRuns", prefix, 1, kMaxParallelRuns, f.max_parallel_runs);
  }
  if (!e) {
    e = intField(body, "maxLagMinutes", prefix, 0, kMaxLagMinutes, f.max_lag_minutes);
  }
  if (!e && body.contains("catchUp")) {
    const auto& v = body["catchUp"];
    if (!v.is_string() || !parseCatchUpMode(v.get<std::string>())) {
      e = validationFailed(prefix + "catchUp", "must be \"skip\", \"one\" or \"all\"");
    } else {
      f.catch_up = v.get<std::string>();
    }
  }
  if (!e && body.contains("enabled")) {
    if (!body["enabled"].is_boolean()) {
      e = validationFailed(prefix + "enabled", "must be true or false");
    } else {
      f.enabled = body["enabled"].get<bool>();
    }
  }
  if (!e) {
    e = parseCronAndZone(f.cron, f.time_zone, prefix).error;
  }
  out.error = e;
  return out;
}

PreviewInput parsePreviewBody(const nlohmann::json& body) {
  PreviewInput out;
  if (!body.is_object()) {
    out.error = FieldError{400, "INVALID_BODY", "the body must be a JSON object", ""};
    return out;
  }
  if (auto e = unknownKey(body, "", {"cron", "timeZone", "from", "count"})) {
    out.error = e;
    return out;
  }
  if (!body.contains("cron")) {
    out.error = validationFailed("cron", "is required, e.g. \"*/15 * * * *\" or \"@daily\"");
    return out;
  }
  std::optional<FieldError> e = stringField(body, "cron", "", out.cron);
  if (!e) {
    e = stringField(body, "timeZone", "", out.time_zone);
  }
  if (!e) {
    e = intField(body, "count", "", 1, kMaxPreviewCount, out.count);
  }
  if (!e && body.contains("from")) {
    const auto& v = body["from"];
    out.from = v.is_string() ? sdk::parseRfc3339(v.get<std::string>()) : std::nullopt;
    if (!out.from) {
      e = validationFailed("from", "must be an RFC 3339 time, e.g. \"2027-03-28T00:00:00Z\"");
    }
  }
  if (!e) {
    e = parseCronAndZone(out.cron, out.time_zone).error;
  }
  out.error = e;
  return out;
}

}  // namespace jobengine::scheduler
