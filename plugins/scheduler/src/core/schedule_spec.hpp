// schedule_spec.hpp — validation of schedule bodies (SPEC §5.1 /schedules; a source's
// `schedule` field) and of POST /schedules/preview. Pure: JSON in, either the values to write
// or a FieldError (422 VALIDATION_FAILED with details.field; a bad cron names the offending
// cron field's position in the message: "cron: cron field 1 (minute): 61 is out of range 0-59").
//
// Fields (docs/schedules.md explains their meaning):
//   sourceId         POST /schedules: required (a source id); PUT: optional, must not change;
//                    not allowed inside a source's `schedule`
//   cron             required; 5 fields or a macro (core/cron_expression.hpp)
//   timeZone         IANA name, default "UTC"
//   maxParallelRuns  1..1000, default 1
//   maxLagMinutes    0..525600 (a year), default 0 = no limit
//   catchUp          "skip" | "one" | "all", default "one"
//   enabled          boolean, default true
// PUT replaces: an omitted field takes its default. Any other field is 422 UNKNOWN_FIELD.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/catch_up.hpp"
#include "core/cron_expression.hpp"
#include "core/ops_validation.hpp"
#include "core/schedule_clock.hpp"

namespace jobengine::scheduler {

struct ScheduleFields {
  std::optional<std::string> source_id;
  std::string cron;
  std::string time_zone = "UTC";
  int max_parallel_runs = 1;
  int max_lag_minutes = 0;
  std::string catch_up = "one";
  bool enabled = true;
};

struct ScheduleInput {
  ScheduleFields fields;
  std::optional<FieldError> error;
};

enum class ScheduleBody {
  kCreate,    // POST /schedules: sourceId required
  kReplace,   // PUT /schedules/{id}: sourceId optional (the caller checks it is unchanged)
  kOfSource,  // the `schedule` field of POST/PATCH /sources: no sourceId; fields "schedule.*"
};

ScheduleInput parseScheduleBody(const nlohmann::json& body, ScheduleBody kind);

// POST /schedules/preview {cron, timeZone, from (RFC 3339, default now), count (1..1000,
// default 10)}.
struct PreviewInput {
  std::string cron;
  std::string time_zone = "UTC";
  std::optional<SysTime> from;
  int count = 10;
  std::optional<FieldError> error;
};
PreviewInput parsePreviewBody(const nlohmann::json& body);

// The cron and zone of a stored schedule, parsed; an error names the field ("cron" or
// "timeZone", prefixed by `prefix`) like the body validation does.
struct ParsedSchedule {
  std::optional<CronExpression> cron;
  std::optional<cctz::time_zone> zone;
  std::optional<FieldError> error;
};
ParsedSchedule parseCronAndZone(const std::string& cron, const std::string& time_zone,
                                const std::string& prefix = "");

}  // namespace jobengine::scheduler
