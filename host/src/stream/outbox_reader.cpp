// See outbox_reader.hpp.
#include "stream/outbox_reader.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/store.hpp"

namespace jobengine::host {
namespace {

// Shared column list; the order is what eventFromRow reads.
constexpr const char* kColumns =
    "tenant_id, seq, event_type, "
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "project_id, run_id::text, job_id::text, source_id, body::text, "
    "extract(epoch FROM occurred_at)::float8";

std::string textOr(const pqxx::field& f) { return f.is_null() ? std::string{} : f.c_str(); }

// The orch.event.v1 envelope: the stored body (the rest of the envelope) with the columns
// written over it, so the row's indexed columns always win.
std::string buildEnvelope(const pqxx::row& row, uint64_t seq) {
  nlohmann::json env = nlohmann::json::parse(textOr(row[8]), nullptr, false);
  if (!env.is_object()) {
    env = nlohmann::json::object();
  }
  env["schemaVersion"] = "orch.event.v1";
  env["seq"] = seq;
  env["eventType"] = textOr(row[2]);
  env["occurredAt"] = textOr(row[3]);
  env["tenantId"] = textOr(row[0]);
  if (!row[4].is_null()) {
    env["projectId"] = textOr(row[4]);
  }
  if (!env.contains("eventId")) {
    env["eventId"] = "urn:orch:event:seq-" + std::to_string(seq);
  }
  const bool has_job_fields = !row[5].is_null() || !row[6].is_null() || !row[7].is_null();
  if (has_job_fields) {
    nlohmann::json& job = env["job"];
    if (!job.is_object()) {
      job = nlohmann::json::object();
    }
    if (!row[6].is_null()) {
      job["id"] = textOr(row[6]);
    }
    if (!row[5].is_null()) {
      job["runId"] = textOr(row[5]);
    }
    if (!row[7].is_null()) {
      job["sourceId"] = textOr(row[7]);
    }
  }
  return env.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

OutboxEvent eventFromRow(const pqxx::row& row) {
  OutboxEvent out;
  StreamEvent& e = out.event;
  e.seq = row[1].as<uint64_t>();
  e.tenant = textOr(row[0]);
  e.type = textOr(row[2]);
  e.run_id = textOr(row[5]);
  e.job_id = textOr(row[6]);
  e.source_id = textOr(row[7]);
  e.json = buildEnvelope(row, e.seq);
  out.occurred_at_epoch = row[9].is_null() ? 0.0 : row[9].as<double>();
  return out;
}

}  // namespace

std::vector<OutboxEvent> readAllTenants(pqxx::connection& conn, uint64_t after_seq,
                                        std::size_t limit) {
  pqxx::work tx(conn);
  tx.exec("SELECT set_config('jobengine.tenant', 'system', true)");
  const pqxx::result rows =
      tx.exec_params(std::string("SELECT ") + kColumns +
                         " FROM jobengine.events WHERE seq > $1 AND seq < jobengine.event_horizon()"
                         " ORDER BY seq LIMIT $2",
                     static_cast<int64_t>(after_seq), static_cast<int64_t>(limit));
  tx.commit();
  std::vector<OutboxEvent> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back(eventFromRow(row));
  }
  return out;
}

uint64_t visibleMaxSeq(pqxx::connection& conn) {
  pqxx::work tx(conn);
  tx.exec("SELECT set_config('jobengine.tenant', 'system', true)");
  const pqxx::row row = tx.exec1(
      "SELECT coalesce(max(seq), 0) FROM jobengine.events WHERE seq < jobengine.event_horizon()");
  tx.commit();
  return row[0].as<uint64_t>();
}

BacklogReader makeBacklogReader(Store& store) {
  return [&store](const std::string& tenant, uint64_t after_seq, std::size_t limit) {
    Transaction tx = store.begin(tenant, true);
    const pqxx::result rows =
        tx.query(std::string("SELECT ") + kColumns +
                     " FROM jobengine.events WHERE tenant_id = $1 AND seq > $2"
                     " AND seq < jobengine.event_horizon() ORDER BY seq LIMIT $3",
                 SqlParams{tenant, std::to_string(after_seq), std::to_string(limit)});
    tx.commit();
    std::vector<StreamEvent> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      out.push_back(eventFromRow(row).event);
    }
    return out;
  };
}

}  // namespace jobengine::host
