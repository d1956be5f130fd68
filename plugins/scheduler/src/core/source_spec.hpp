// source_spec.hpp — validation of the bodies of POST /sources and PATCH /sources/{id}
// (SPEC §1 "source", §5.1). Pure: JSON in, either the column values to write or a FieldError.
//
// Accepted fields (camelCase in, snake_case columns out):
//   name          required on create; 1..200 chars of [a-z0-9._:/-], starting alphanumeric
//   kind          required on create; 1..64 chars of [a-z0-9._-], starting alphanumeric
//   upstreamHost  optional; a host name or IPv4 with optional :port, no scheme, no path
//   schedule      optional object, the source's schedule (core/schedule_spec.hpp, kOfSource):
//                 written to scheduler.schedules, not to the source row
//   ratePolicy    optional object {rpm >= 1 (required), burst >= 1, cooldownSeconds >= 0};
//                 absent/null means egress is denied (SPEC §3 default deny)
//   config        optional object, free-form (adapter settings; "syncJobType" overrides the
//                 job type POST /sources/{id}/sync enqueues)
//   enabled       optional boolean (default true)
//   lockKey       optional; 1..200 chars like name, upper case allowed: syncs of all sources
//   sharing it never
//                 overlap (source_sync.hpp); absent/null: no lock
// Any other field is refused (422 UNKNOWN_FIELD) so a typo never silently does nothing.
// A body that is not a JSON object is 400; a field of the wrong type or out of range is 422.
// On PATCH an explicit null clears upstreamHost, schedule, ratePolicy and lockKey; name, kind,
// config and enabled cannot be null.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/ops_validation.hpp"

namespace jobengine::scheduler {

struct SourceInput {
  // Column name -> value to write (JSON null = SQL NULL). Only the fields the body named.
  nlohmann::json columns = nlohmann::json::object();
  // The `schedule` field when the body named it (validated); JSON null removes the schedule.
  std::optional<nlohmann::json> schedule;
  std::optional<FieldError> error;
};

SourceInput parseSourceCreate(const nlohmann::json& body);
SourceInput parseSourcePatch(const nlohmann::json& body);

// The job type a manual sync of a source enqueues: config.syncJobType when set, else
// "<kind>.fetch" (the adapter plugin's fetch job, e.g. kind "concelier" -> "concelier.fetch").
std::string syncJobType(const std::string& kind, const nlohmann::json& config);

}  // namespace jobengine::scheduler
