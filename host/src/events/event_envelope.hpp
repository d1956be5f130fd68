// orch.event.v1 envelopes (SPEC §6) to and from rows of the jobengine.events outbox.
//
// A row keeps the routing fields in columns (tenant, seq, type, time, project, run, job,
// source) and every other envelope field in `body`, including the eventId the appender
// generated. Job transitions written by the scheduler keep the `job` fields in typed columns
// instead; the SQL function jobengine.event_body(row) folds them back in (migrations/host/0004),
// so every reader sees the same body whichever way the row was written. envelopeFromRow()
// reassembles the envelope every reader returns (GET /events, the stream hub); splitEnvelope() is
// the inverse used by je.events append. Pure functions; no database, safe from any thread. Keep the
// names stable: the stream code uses them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pqxx {
class row;
}

namespace jobengine::host {

inline constexpr const char* kEventSchemaVersion = "orch.event.v1";

// One outbox row; empty strings are SQL NULLs.
struct EventRow {
  std::string tenant_id;
  int64_t seq = 0;
  std::string event_type;
  std::string occurred_at;  // RFC 3339 UTC with "Z"
  std::string project_id;
  std::string run_id;
  std::string job_id;
  std::string source_id;
  nlohmann::json body = nlohmann::json::object();
};

// The column list (in EventRow order) a SELECT must use for eventRowFrom(); occurred_at is
// formatted as RFC 3339 UTC by the database. Select FROM jobengine.events without an alias:
// the body column names the whole row `events`.
inline constexpr const char* kEventColumns =
    "tenant_id, seq, event_type, "
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "project_id, run_id::text, job_id::text, source_id, jobengine.event_body(events)::text";

// Reads a row selected with kEventColumns.
EventRow eventRowFrom(const pqxx::row& row);

// The full envelope: schemaVersion, eventId, seq, eventType, occurredAt, tenantId, projectId,
// the body's other fields, and job.id / job.runId / job.sourceId from the columns.
nlohmann::json envelopeFromRow(const EventRow& row);

// The columns lifted out of a partial envelope given to je.events append.
struct SplitEvent {
  std::string event_type;
  std::string project_id;
  std::string run_id;     // uuid text or empty
  std::string job_id;     // uuid text or empty
  std::string source_id;  // or empty
  std::string tenant_id;  // tenantId given in the partial envelope (system transactions only)
  nlohmann::json body = nlohmann::json::object();  // everything else
};

// Validates and splits a partial envelope: eventType required (1..128 chars, [a-z0-9._*-]);
// job.id, job.runId / runId / run.id must be UUIDs when present. Returns an error message or
// the split event.
std::optional<std::string> splitEnvelope(const nlohmann::json& partial, SplitEvent& out);

// "urn:orch:event:<uuidv7>".
std::string newEventId();

}  // namespace jobengine::host
