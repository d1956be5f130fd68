// ops_store.hpp — shared glue of the operator routes (routes_sources, routes_deadletter,
// routes_packruns): outbox event rows, direct job/run inserts, RFC 3339 columns, the page
// request, and the error envelope for FieldError and the SDK's ClientError. Everything here
// runs inside the caller's transaction, so a change and its events commit or roll back
// together (SPEC §6 outbox).
//
// Events go to the host's outbox through jobengine.append_events_v1 (abi.h, "Host SQL
// functions"), one call per statement for all k events; tenant_id is the transaction's tenant;
// the envelope's remaining fields live in `body`; the host adds actor, operator, requestId and
// traceId from the request the transaction serves.
//
// Jobs created here (source sync, dead-letter replay, pack runs) are inserted directly in SQL
// as `queued` with their job.created event; they need no DAG, quota admission happens at claim
// time. When je.jobs (c1) is merged this can switch to je.jobs enqueue with the same result.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/pagination.hpp>
#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/ops_validation.hpp"

namespace jobengine::scheduler {

// One orch.event.v1 event to append. body holds data/job/metrics; the helper adds eventId and
// correlationId, the host the rest.
struct OpsEvent {
  std::string type;
  std::optional<std::string> project_id;
  std::optional<std::string> run_id;
  std::optional<std::string> job_id;
  std::optional<std::string> source_id;
  nlohmann::json body = nlohmann::json::object();
};

// Who causes a write: a request (its tenant, ids and subject), or the engine itself (the
// leader firing a schedule: a tenant and nothing else; the host then names the plugin as the
// actor, SPEC §6).
struct Origin {
  std::string tenant;
  std::optional<std::string> request_id;
  std::optional<std::string> trace_id;
  std::optional<std::string> subject;

  static Origin of(const sdk::Txn& txn, const sdk::Request& request);
  static Origin engine(const std::string& tenant) { return Origin{tenant, {}, {}, {}}; }
};

// Appends events in one statement; returns their eventIds in order.
std::vector<std::string> appendEvents(sdk::Txn& txn, const std::vector<OpsEvent>& events,
                                      sdk::UuidV7Generator& ids, const Origin& origin);
std::vector<std::string> appendEvents(sdk::Txn& txn, const std::vector<OpsEvent>& events,
                                      sdk::UuidV7Generator& ids, const sdk::Request& request);

struct NewJob {
  std::string id;
  std::optional<std::string> project_id;
  std::optional<std::string> run_id;
  std::optional<std::string> source_id;
  std::optional<std::string> job_key;
  std::string job_type;
  int priority = 5;
  std::optional<int> max_attempts;  // nullopt: table default
  nlohmann::json payload = nlohmann::json::object();
  std::optional<std::string> correlation_id;
  std::optional<std::string> replay_of;
  int parents_pending = 0;  // > 0: inserted `pending` (a DAG child; its edges are the caller's)
};

// Inserts a queued (or, with parents_pending, pending) job and returns its job.created event (the
// caller appends it together with its own events). payload_digest is the sha256 of the canonical
// payload.
OpsEvent insertQueuedJob(sdk::Txn& txn, const NewJob& job, const Origin& origin);
OpsEvent insertQueuedJob(sdk::Txn& txn, const NewJob& job, const sdk::Request& request);

// Inserts a run row (kind sync | pack | batch ...) with jobs_total and returns run.created.
// idempotency_key (optional) is unique per tenant (runs_idempotency).
struct NewRun {
  std::string id;
  std::string kind;
  std::optional<std::string> project_id;
  std::optional<std::string> source_id;
  int jobs_total = 1;
  std::optional<std::string> reason;
  std::optional<std::string> idempotency_key;
  // The event-time window the run covers (migration 0006): scope set = a windowed run whose
  // success may move the scope's watermark; window_from empty = open start.
  std::optional<std::string> window_scope;
  std::optional<std::string> window_from;  // RFC 3339
  std::optional<std::string> window_to;    // RFC 3339
  std::optional<std::string> backfill_id;
};
OpsEvent insertRun(sdk::Txn& txn, const NewRun& run, const Origin& origin);
OpsEvent insertRun(sdk::Txn& txn, const std::string& run_id, const std::string& kind,
                   const std::optional<std::string>& project_id,
                   const std::optional<std::string>& source_id, int jobs_total,
                   const std::optional<std::string>& reason, const sdk::Request& request);

// SQL expression rendering a timestamptz column as RFC 3339 UTC with microseconds and 'Z'.
std::string rfc3339Sql(const std::string& column);

// Sends the SPEC §5 error envelope for a validation error (details.field when known).
void sendFieldError(sdk::Response& response, const sdk::Request& request, const FieldError& e);
// Sends the envelope for a refusal of the SDK's request helpers (pagination, ETag).
void sendClientError(sdk::Response& response, const sdk::Request& request,
                     const sdk::ClientError& e);
// page_size and page_token of a list route (jobengine/pagination.hpp) for `binding` and a key
// of `arity` values; answers 400 itself and returns nullopt. The route still checks the form
// of each key value (answering sdk::invalidPageToken) before it binds them.
std::optional<sdk::PageRequest> pageRequest(const sdk::Request& request, sdk::Response& response,
                                            const std::string& binding, std::size_t arity);
// A GET whose If-None-Match names `version`: answers 304 with the ETag and returns true.
bool answeredNotModified(const sdk::Request& request, sdk::Response& response, uint64_t version);

// A list keyed by id (a UUID, ascending: sources, schedules, backfills): its page request and
// the id to continue after. Answers 400 itself and returns nullopt for a bad page_size or
// page_token; `what` names the resource in the message ("schedule").
struct IdPage {
  sdk::PageRequest page;
  std::optional<std::string> after;
};
std::optional<IdPage> idPageRequest(const sdk::Request& request, sdk::Response& response,
                                    const std::string& binding, const std::string& what);
// Answers 200 {<items_key>: items, nextPageToken?} for such a list (items as fetched, up to
// the page's fetchLimit()).
void sendIdPage(sdk::Response& response, const IdPage& page, nlohmann::json items,
                const std::string& binding, const std::string& items_key);

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message,
               const nlohmann::json& details = nullptr);

// The request body as JSON; nullopt after sending 400 INVALID_JSON. An empty body is {}.
std::optional<nlohmann::json> jsonBody(const sdk::Request& request, sdk::Response& response);

// True when `text` is a canonical lower-case UUID (path ids are checked before they reach
// a ::uuid cast, so a bad id is a 404, not a database error).
bool isUuid(const std::string& text);

}  // namespace jobengine::scheduler
