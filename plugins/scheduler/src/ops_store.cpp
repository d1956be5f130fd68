// ops_store.cpp — outbox rows, job/run inserts and error replies for the operator routes
// (see ops_store.hpp).
#include "ops_store.hpp"

#include <jobengine/canonical_json.hpp>
#include <jobengine/etag.hpp>

namespace jobengine::scheduler {

namespace {

// Through the host's declared function (abi.h, "Host SQL functions"): it adds the seqs, the
// time and who and why (the request's actor, operator, request and trace ids).
constexpr std::string_view kInsertEvents = R"sql(
SELECT jobengine.append_events_v1(array_agg(ROW(
         $1::text, e.event_type, e.project_id, e.run_id, e.job_id, e.source_id, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, e.body::json)::jobengine.event_input_v1 ORDER BY e.ord))
FROM jsonb_to_recordset($2::jsonb) AS e(ord bigint, event_type text, project_id text,
                                        run_id uuid, job_id uuid, source_id text, body jsonb)
)sql";

constexpr std::string_view kInsertJob = R"sql(
INSERT INTO scheduler.jobs (tenant_id, id, project_id, run_id, source_id, job_key, job_type,
                            status, priority, max_attempts, payload, payload_digest,
                            correlation_id, replay_of, trace_id, parents_pending)
VALUES ($1, $2::uuid, $3, $4::uuid, $5::uuid, $6, $7,
        CASE WHEN $15::int > 0 THEN 'pending' ELSE 'queued' END, $8::smallint,
        coalesce($9::int, 5), $10::jsonb, $11, $12, $13::uuid, $14, $15::int)
)sql";

constexpr std::string_view kInsertRunRow = R"sql(
INSERT INTO scheduler.runs (tenant_id, id, project_id, source_id, kind, status, reason,
                            correlation_id, trace_id, jobs_total, created_by, idempotency_key,
                            window_scope, window_from, window_to, backfill_id)
VALUES ($1, $2::uuid, $3, $4::uuid, $5, 'queued', $6, $7, $8, $9::int, $10, $11, $12,
        $13::timestamptz, $14::timestamptz, $15::uuid)
)sql";

std::optional<std::string> nonEmpty(std::string_view s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(std::string(s));
}

}  // namespace

Origin Origin::of(const sdk::Txn& txn, const sdk::Request& request) {
  return Origin{txn.tenant(), nonEmpty(request.requestId()), nonEmpty(request.traceId()),
                nonEmpty(request.subject())};
}

std::vector<std::string> appendEvents(sdk::Txn& txn, const std::vector<OpsEvent>& events,
                                      sdk::UuidV7Generator& ids, const sdk::Request& request) {
  return appendEvents(txn, events, ids, Origin::of(txn, request));
}

std::vector<std::string> appendEvents(sdk::Txn& txn, const std::vector<OpsEvent>& events,
                                      sdk::UuidV7Generator& ids, const Origin& origin) {
  std::vector<std::string> event_ids;
  if (events.empty()) {
    return event_ids;
  }
  nlohmann::json rows = nlohmann::json::array();
  int64_t ord = 0;
  for (const auto& e : events) {
    nlohmann::json body = e.body;
    const std::string event_id = "urn:orch:event:" + ids.next();
    body["eventId"] = event_id;
    if (!body.contains("correlationId") && origin.request_id) {
      body["correlationId"] = *origin.request_id;
    }
    if (e.project_id) {
      body["projectId"] = *e.project_id;
    }
    rows.push_back({{"ord", ++ord},
                    {"event_type", e.type},
                    {"project_id", e.project_id ? nlohmann::json(*e.project_id) : nullptr},
                    {"run_id", e.run_id ? nlohmann::json(*e.run_id) : nullptr},
                    {"job_id", e.job_id ? nlohmann::json(*e.job_id) : nullptr},
                    {"source_id", e.source_id ? nlohmann::json(*e.source_id) : nullptr},
                    {"body", body}});
    event_ids.push_back(event_id);
  }
  txn.exec(kInsertEvents, {origin.tenant, rows.dump()});
  return event_ids;
}

OpsEvent insertQueuedJob(sdk::Txn& txn, const NewJob& job, const sdk::Request& request) {
  return insertQueuedJob(txn, job, Origin::of(txn, request));
}

OpsEvent insertQueuedJob(sdk::Txn& txn, const NewJob& job, const Origin& origin) {
  const std::string digest = sdk::canonicalDigest(job.payload);
  txn.exec(kInsertJob,
           {origin.tenant, job.id, job.project_id, job.run_id, job.source_id, job.job_key,
            job.job_type, job.priority, job.max_attempts, job.payload.dump(), digest,
            job.correlation_id, job.replay_of, origin.trace_id, job.parents_pending});
  OpsEvent created;
  created.type = "job.created";
  created.project_id = job.project_id;
  created.run_id = job.run_id;
  created.job_id = job.id;
  created.source_id = job.source_id;
  nlohmann::json j = {{"id", job.id},
                      {"type", job.job_type},
                      {"attempt", 0},
                      {"status", job.parents_pending > 0 ? "pending" : "queued"},
                      {"payloadDigest", digest},
                      {"priority", job.priority}};
  if (job.run_id) {
    j["runId"] = *job.run_id;
  }
  if (job.source_id) {
    j["sourceId"] = *job.source_id;
  }
  created.body["job"] = j;
  if (job.replay_of) {
    created.body["data"] = {{"replayOf", *job.replay_of}};
  }
  if (job.correlation_id) {
    created.body["correlationId"] = *job.correlation_id;
  }
  return created;
}

OpsEvent insertRun(sdk::Txn& txn, const std::string& run_id, const std::string& kind,
                   const std::optional<std::string>& project_id,
                   const std::optional<std::string>& source_id, int jobs_total,
                   const std::optional<std::string>& reason, const sdk::Request& request) {
  NewRun run;
  run.id = run_id;
  run.kind = kind;
  run.project_id = project_id;
  run.source_id = source_id;
  run.jobs_total = jobs_total;
  run.reason = reason;
  return insertRun(txn, run, Origin::of(txn, request));
}

OpsEvent insertRun(sdk::Txn& txn, const NewRun& run, const Origin& origin) {
  txn.exec(kInsertRunRow,
           {origin.tenant, run.id, run.project_id, run.source_id, run.kind, run.reason,
            origin.request_id, origin.trace_id, run.jobs_total, origin.subject, run.idempotency_key,
            run.window_scope, run.window_from, run.window_to, run.backfill_id});
  OpsEvent created;
  created.type = "run.created";
  created.project_id = run.project_id;
  created.run_id = run.id;
  created.source_id = run.source_id;
  created.body["data"] = {{"runId", run.id}, {"kind", run.kind}, {"jobsTotal", run.jobs_total}};
  if (run.window_scope) {
    created.body["data"]["window"] = {
        {"scope", *run.window_scope},
        {"from", run.window_from ? nlohmann::json(*run.window_from) : nlohmann::json(nullptr)},
        {"to", run.window_to ? nlohmann::json(*run.window_to) : nlohmann::json(nullptr)}};
  }
  if (run.backfill_id) {
    created.body["data"]["backfillId"] = *run.backfill_id;
  }
  return created;
}

std::string rfc3339Sql(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

bool answeredNotModified(const sdk::Request& request, sdk::Response& response, uint64_t version) {
  const auto none_match = request.header("If-None-Match");
  if (!none_match || !sdk::etagListMatches(*none_match, version)) {
    return false;
  }
  response.header("ETag", sdk::makeEtag(version));
  response.status(304);
  return true;
}

std::optional<IdPage> idPageRequest(const sdk::Request& request, sdk::Response& response,
                                    const std::string& binding, const std::string& what) {
  auto page = pageRequest(request, response, binding, 1);
  if (!page) {
    return std::nullopt;
  }
  IdPage out{std::move(*page), std::nullopt};
  if (out.page.after) {
    const auto& key = (*out.page.after)[0];
    if (!key.is_string() || !isUuid(key.get<std::string>())) {
      sendClientError(response, request,
                      sdk::invalidPageToken("the token's key is not a " + what + " id"));
      return std::nullopt;
    }
    out.after = key.get<std::string>();
  }
  return out;
}

void sendIdPage(sdk::Response& response, const IdPage& page, nlohmann::json items,
                const std::string& binding, const std::string& items_key) {
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, page.page,
          [](const nlohmann::json& item) { return nlohmann::json::array({item["id"]}); },
          binding)) {
    body["nextPageToken"] = *next;
  }
  body[items_key] = std::move(items);
  response.json(200, body);
}

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message, const nlohmann::json& details) {
  response.error(status, code, message, request.traceId(), details);
}

void sendFieldError(sdk::Response& response, const sdk::Request& request, const FieldError& e) {
  sendError(response, request, e.status, e.code, e.message,
            e.field.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"field", e.field}});
}

void sendClientError(sdk::Response& response, const sdk::Request& request,
                     const sdk::ClientError& e) {
  sendError(response, request, e.status, e.code, e.message, e.details);
}

std::optional<sdk::PageRequest> pageRequest(const sdk::Request& request, sdk::Response& response,
                                            const std::string& binding, std::size_t arity) {
  auto page = sdk::parsePageRequest(request.query("page_size"), request.query("page_token"),
                                    binding, arity);
  if (!page) {
    sendClientError(response, request, *page.error);
    return std::nullopt;
  }
  return std::move(page.value);
}

std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response) {
  if (request.body().find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return nlohmann::json::object();
  }
  auto parsed = request.json();
  if (!parsed) {
    sendError(response, request, 400, "INVALID_JSON", "the request body is not valid JSON");
  }
  return parsed;
}

bool isUuid(const std::string& text) {
  if (text.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace jobengine::scheduler
