// routes_backfills.cpp — HTTP glue for /api/v1/jobengine/backfills. Every route runs in the
// request's tenant-bound transaction (JE_ROUTE_TXN); every change appends its events there.
//
// Decisions (plugins/scheduler/README.md, "Watermarks and backfills"):
//  * POST and cancel are orch:backfill actions: the host demands the operator reason AND
//    ticket headers (400 OPERATOR_REASON_REQUIRED / OPERATOR_TICKET_REQUIRED) before the
//    handler runs; the backfill stores them. The body carries neither (one place for them).
//  * A dry run is checked exactly like the real request (unknown source 422, paused / disabled
//    source 409, overlap 409, too many windows 422) and answers {windows, jobCount}; it writes
//    nothing.
//  * Overlap: a queued or running backfill of the same source and scope whose [from, to)
//    shares an instant with the new one: 409 BACKFILL_OVERLAP with details.existingId. The
//    source row is locked first, so two concurrent creates are serialized.
//  * One run (kind backfill) with one job per window, job priority `backfill_priority`
//    (below live syncs' 5), payload {window: {scope, from, to}, backfillId, ...}.
//  * Cancel: the backfill becomes canceled at once (backfill.canceled), then every
//    non-terminal job of its runs is canceled through JobService::cancelJobs (jobs and runs
//    move and emit their own events). A terminal backfill answers 200 as it is, no event.
//    Locks: its jobs, then the backfill row — the order of a completion (job, run, backfill).
//  * The SQL is in backfill_store.cpp (and watermark_store.cpp for one backfill's row).
#include "routes_backfills.hpp"

#include <jobengine/time_format.hpp>

#include <memory>

#include "backfill_store.hpp"
#include "core/backfill_plan.hpp"
#include "ops_store.hpp"
#include "routes.hpp"
#include "schedule_store.hpp"
#include "source_store.hpp"
#include "source_sync.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr const char* kBackfillsBase = "/api/v1/jobengine/backfills";

std::string rfc3339Millis(SysTime t) { return sdk::formatRfc3339(t, sdk::TimePrecision::kMillis); }

void backfillNotFound(sdk::Response& response, const sdk::Request& request, const std::string& id) {
  sendError(response, request, 404, "BACKFILL_NOT_FOUND", "no backfill with id '" + id + "'");
}

// The first queued/running backfill of (source, scope) overlapping `range`, by id.
std::optional<std::string> overlappingBackfill(sdk::Txn& txn, const BackfillRequest& req) {
  for (const auto& active : activeBackfills(txn, req.source_id, req.scope)) {
    if (overlaps(req.range, active.range)) {
      return active.id;
    }
  }
  return std::nullopt;
}

void createBackfill(sdk::Host& host, JobService& service, sdk::UuidV7Generator& ids,
                    const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const BackfillInput input = parseBackfillBody(*body, service.settings().backfill_window_minutes);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const BackfillRequest& req = input.request;
  const std::string reason(request.operatorReason());
  const std::string ticket(request.operatorTicket());
  if (reason.empty() || ticket.empty()) {  // the host refuses first; kept as the last guard
    sendError(response, request, 400,
              reason.empty() ? "OPERATOR_REASON_REQUIRED" : "OPERATOR_TICKET_REQUIRED",
              "a backfill needs X-StellaOps-Operator-Reason and X-StellaOps-Operator-Ticket");
    return;
  }
  // Locks the source: concurrent creates for it are serialized, the second sees the first.
  if (!lockSourceRow(txn, req.source_id)) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "sourceId: no source with id '" + req.source_id + "'", {{"field", "sourceId"}});
    return;
  }
  const auto source = loadSourceForSync(txn, txn.tenant(), req.source_id);
  if ((*source)["paused"].get<bool>() || !(*source)["enabled"].get<bool>()) {
    const bool paused = (*source)["paused"].get<bool>();
    sendError(response, request, 409, paused ? "SOURCE_PAUSED" : "SOURCE_DISABLED",
              "source '" + (*source)["name"].get<std::string>() + "' is " +
                  (paused ? "paused; resume it" : "disabled; enable it") + " before a backfill");
    return;
  }
  if (const auto existing = overlappingBackfill(txn, req)) {
    sendError(response, request, 409, "BACKFILL_OVERLAP",
              "backfill '" + *existing + "' of this source and scope '" + req.scope +
                  "' is still active and overlaps [from, to); wait for it or cancel it",
              {{"existingId", *existing}});
    return;
  }
  if (const auto busy = activeSyncOfLock(txn, txn.tenant(), *source)) {
    sendSyncInProgress(response, request, *source, *busy);
    return;
  }
  const auto windows = planWindows(req.range, std::chrono::minutes(req.window_minutes));
  if (req.dry_run) {
    nlohmann::json items = nlohmann::json::array();
    for (const TimeWindow& w : windows) {
      items.push_back({{"from", rfc3339Millis(w.from)}, {"to", rfc3339Millis(w.to)}});
    }
    response.json(200, {{"windows", items}, {"jobCount", windows.size()}});
    return;
  }
  const std::string id = ids.next();
  NewBackfill row;
  row.id = id;
  row.source_id = req.source_id;
  row.scope = req.scope;
  row.range = req.range;
  row.window_minutes = req.window_minutes;
  row.reason = reason;
  row.ticket = ticket;
  row.windows_total = static_cast<int64_t>(windows.size());
  if (!request.subject().empty()) {
    row.created_by = std::string(request.subject());
  }
  insertBackfill(txn, row);
  const Origin origin = Origin::of(txn, request);
  std::vector<OpsEvent> events;
  events.reserve(windows.size() * 2 + 1);
  events.emplace_back();  // backfill.created, filled in below with the stored row
  // With a lock key the windows run one after another: each waits for the previous one's
  // sinks (source_sync.hpp).
  const bool chained = (*source)["lockKey"].is_string();
  std::vector<std::string> previous_sinks;
  for (const TimeWindow& w : windows) {
    SyncRequest sync;
    sync.run_kind = "backfill";
    sync.trigger = "backfill";
    sync.reason = "backfill " + id + ": " + reason;
    sync.window = SyncWindow{req.scope, rfc3339Micros(w.from), rfc3339Micros(w.to)};
    sync.backfill_id = id;
    sync.priority = service.settings().backfill_priority;
    if (chained) {
      sync.after_jobs = previous_sinks;
    }
    SyncRun run = createSyncRun(txn, ids, service.syncDags(), *source, sync, origin);
    previous_sinks = run.sink_job_ids;
    events.insert(events.end(), run.events.begin(), run.events.end());
  }
  const auto backfill = loadBackfill(txn, id, false);
  events.front() = backfillEvent("backfill.created", *backfill);
  appendEvents(txn, events, ids, origin);
  service.wakeRunnersAfterCommit(txn);
  response.header("Location", std::string(kBackfillsBase) + "/" + id);
  response.json(201, *backfill);
}

void listBackfills(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  std::optional<std::string> source_filter;
  if (const auto source_id = request.query("sourceId")) {
    source_filter = std::string(*source_id);
    if (!isUuid(*source_filter)) {
      sendError(response, request, 400, "INVALID_QUERY", "sourceId: must be a source id (a UUID)",
                {{"field", "sourceId"}});
      return;
    }
  }
  std::optional<std::string> status_filter;
  if (const auto status = request.query("status")) {
    status_filter = std::string(*status);
    if (*status_filter != "queued" && *status_filter != "running" &&
        *status_filter != "succeeded" && *status_filter != "failed" &&
        *status_filter != "canceled") {
      sendError(response, request, 400, "INVALID_QUERY",
                "status: must be queued, running, succeeded, failed or canceled",
                {{"field", "status"}});
      return;
    }
  }
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kBackfillsBase),
                       {{"sourceId", source_filter}, {"status", status_filter}});
  const auto page = idPageRequest(request, response, binding, "backfill");
  if (!page) {
    return;
  }
  // status filters the shown status (running is derived while the row still says queued).
  nlohmann::json items = nlohmann::json::array();
  for (auto& item :
       listBackfillRows(txn, page->after, source_filter, status_filter, page->page.fetchLimit())) {
    items.push_back(std::move(item));
  }
  sendIdPage(response, *page, std::move(items), binding, "backfills");
}

void getBackfill(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto backfill = isUuid(id) ? loadBackfill(txn, id, false) : std::nullopt;
  if (!backfill) {
    backfillNotFound(response, request, id);
    return;
  }
  response.json(200, *backfill);
}

void cancelBackfill(sdk::Host& host, JobService& service, sdk::UuidV7Generator& ids,
                    const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  auto backfill = isUuid(id) ? loadBackfill(txn, id, false) : std::nullopt;
  if (!backfill) {
    backfillNotFound(response, request, id);
    return;
  }
  const auto ended = [](const nlohmann::json& b) {
    const std::string status = b["status"].get<std::string>();
    return status != "queued" && status != "running";
  };
  if (ended(*backfill)) {
    response.json(200, *backfill);  // already ended: idempotent, no event
    return;
  }
  // Lock order as on the completion path (job, then run, then backfill): the jobs first, so a
  // worker completing one of them concurrently waits here instead of deadlocking with us.
  std::vector<std::pair<std::string, std::string>> jobs;
  for (auto& job_id : lockUnfinishedBackfillJobs(txn, id)) {
    jobs.emplace_back(txn.tenant(), std::move(job_id));
  }
  backfill = loadBackfill(txn, id, true);
  if (ended(*backfill)) {  // its last window ended meanwhile
    response.json(200, *backfill);
    return;
  }
  markBackfillCanceled(txn, id);
  if (!jobs.empty()) {
    service.cancelJobs(txn, jobs, actorOf(request), "backfill_canceled");
  }
  const auto after = loadBackfill(txn, id, false);
  appendEvents(txn, {backfillEvent("backfill.canceled", *after, {{"jobsCanceled", jobs.size()}})},
               ids, request);
  response.json(200, *after);
}

}  // namespace

void registerBackfillRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service) {
  auto ids = std::make_shared<sdk::UuidV7Generator>();
  sdk::Host* h = &host;
  JobService* svc = &service;
  const std::string base = kBackfillsBase;
  const std::string item = base + "/:id";
  host.route(
      "GET", kBackfillsBase, "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listBackfills(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", kBackfillsBase));
  host.route(
      "POST", kBackfillsBase, "orch:backfill",
      [h, svc, ids](const sdk::Request& rq, sdk::Response& rs) {
        createBackfill(*h, *svc, *ids, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("POST", kBackfillsBase));
  host.route(
      "GET", item.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { getBackfill(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", item));
  host.route(
      "POST", (item + "/cancel").c_str(), "orch:backfill",
      [h, svc, ids](const sdk::Request& rq, sdk::Response& rs) {
        cancelBackfill(*h, *svc, *ids, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("POST", item + "/cancel"));
}

}  // namespace jobengine::scheduler
