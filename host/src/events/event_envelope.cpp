// See event_envelope.hpp. The `job` object stays whole in the body (its ids are copied into
// the columns, not moved), so the envelope a reader gets back has exactly the shape the
// appender gave, plus the fields the host owns.
#include "events/event_envelope.hpp"

#include <jobengine/json_limits.hpp>

#include <jobengine/ids.hpp>

#include <pqxx/row>

namespace jobengine::host {
namespace {

std::string textOr(const pqxx::field& f) { return f.is_null() ? std::string{} : f.c_str(); }

// The string at j[key] when it is a string, else "".
std::string stringAt(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) {
    return {};
  }
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool validEventType(const std::string& type) {
  if (type.empty() || type.size() > 128) {
    return false;
  }
  for (const char c : type) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-' || c == '*';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

EventRow eventRowFrom(const pqxx::row& row) {
  EventRow r;
  r.tenant_id = textOr(row[0]);
  r.seq = row[1].as<int64_t>();
  r.event_type = textOr(row[2]);
  r.occurred_at = textOr(row[3]);
  r.project_id = textOr(row[4]);
  r.run_id = textOr(row[5]);
  r.job_id = textOr(row[6]);
  r.source_id = textOr(row[7]);
  r.body = sdk::parseJsonBounded(textOr(row[8]), "event body").value;
  if (!r.body.is_object()) {
    r.body = nlohmann::json::object();
  }
  return r;
}

nlohmann::json envelopeFromRow(const EventRow& row) {
  nlohmann::json env = nlohmann::json::object();
  env["schemaVersion"] = kEventSchemaVersion;
  env["eventId"] = stringAt(row.body, "eventId");
  env["seq"] = row.seq;
  env["eventType"] = row.event_type;
  env["occurredAt"] = row.occurred_at;
  env["tenantId"] = row.tenant_id;
  if (!row.project_id.empty()) {
    env["projectId"] = row.project_id;
  }
  for (const auto& [key, value] : row.body.items()) {
    if (!env.contains(key)) {
      env[key] = value;
    }
  }
  if (!row.job_id.empty() || !row.run_id.empty() || !row.source_id.empty()) {
    nlohmann::json& job = env["job"];
    if (!job.is_object()) {
      job = nlohmann::json::object();
    }
    if (!row.job_id.empty() && !job.contains("id")) {
      job["id"] = row.job_id;
    }
    if (!row.run_id.empty() && !job.contains("runId")) {
      job["runId"] = row.run_id;
    }
    if (!row.source_id.empty() && !job.contains("sourceId")) {
      job["sourceId"] = row.source_id;
    }
  }
  return env;
}

std::optional<std::string> splitEnvelope(const nlohmann::json& partial, SplitEvent& out) {
  if (!partial.is_object()) {
    return "event must be a JSON object";
  }
  out.event_type = stringAt(partial, "eventType");
  if (!validEventType(out.event_type)) {
    return "eventType is required: 1..128 characters of [a-z0-9._-], e.g. \"job.succeeded\"";
  }
  out.project_id = stringAt(partial, "projectId");
  out.tenant_id = stringAt(partial, "tenantId");
  const nlohmann::json job = partial.contains("job") ? partial["job"] : nlohmann::json();
  const nlohmann::json run = partial.contains("run") ? partial["run"] : nlohmann::json();
  const nlohmann::json source = partial.contains("source") ? partial["source"] : nlohmann::json();
  out.job_id = stringAt(job, "id");
  out.run_id = stringAt(job, "runId");
  if (out.run_id.empty()) {
    out.run_id = stringAt(run, "id");
  }
  if (out.run_id.empty()) {
    out.run_id = stringAt(partial, "runId");
  }
  out.source_id = stringAt(job, "sourceId");
  if (out.source_id.empty()) {
    out.source_id = stringAt(source, "id");
  }
  if (out.source_id.empty()) {
    out.source_id = stringAt(partial, "sourceId");
  }
  if (!out.job_id.empty() && !sdk::isUuid(out.job_id)) {
    return "job.id must be a UUID, got '" + out.job_id + "'";
  }
  if (!out.run_id.empty() && !sdk::isUuid(out.run_id)) {
    return "the run id must be a UUID, got '" + out.run_id + "'";
  }
  out.body = nlohmann::json::object();
  for (const auto& [key, value] : partial.items()) {
    if (key == "schemaVersion" || key == "eventId" || key == "seq" || key == "eventType" ||
        key == "occurredAt" || key == "tenantId" || key == "projectId") {
      continue;
    }
    out.body[key] = value;
  }
  return std::nullopt;
}

std::string newEventId() { return "urn:orch:event:" + sdk::newUuidV7(); }

}  // namespace jobengine::host
