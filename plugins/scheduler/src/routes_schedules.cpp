// routes_schedules.cpp — HTTP glue for /api/v1/jobengine/schedules. Every route runs in the
// request's tenant-bound transaction (JE_ROUTE_TXN); every change appends its schedule.*
// event in that transaction.
//
// Decisions (plugins/scheduler/README.md, "Schedules"; docs/schedules.md for the times):
//  * A source has at most one schedule: POST for a source that has one is 409
//    SCHEDULE_EXISTS naming it. A source's `schedule` field shows the same row.
//  * PUT replaces the whole schedule (omitted fields take their defaults); sourceId cannot
//    change. ETag "v<version>"; If-Match optional, 412 when it names another version.
//  * Any write plans from now: fires before the write are not made up.
//  * trigger: one run now, outside the cron (a `triggered` fire at the request's time), refused
//    (409) for a paused or disabled source and when maxParallelRuns runs of the schedule are
//    still queued or running.
//  * preview creates nothing and needs only orch:read.
#include "routes_schedules.hpp"

#include <jobengine/etag.hpp>
#include <jobengine/time_format.hpp>

#include <memory>

#include "core/schedule_spec.hpp"
#include "ops_store.hpp"
#include "schedule_store.hpp"
#include "source_store.hpp"
#include "source_sync.hpp"

namespace jobengine::scheduler {

namespace {

constexpr const char* kSchedulesBase = "/api/v1/jobengine/schedules";

uint64_t scheduleVersion(const nlohmann::json& schedule) {
  return static_cast<uint64_t>(schedule["version"].get<int64_t>());
}

void sendSchedule(sdk::Response& response, int status, const nlohmann::json& schedule) {
  response.header("ETag", sdk::makeEtag(scheduleVersion(schedule)));
  response.json(status, schedule);
}

void scheduleNotFound(sdk::Response& response, const sdk::Request& request, const std::string& id) {
  sendError(response, request, 404, "SCHEDULE_NOT_FOUND", "no schedule with id '" + id + "'");
}

// Resolves {id} FOR UPDATE and the If-Match precondition; answers 404 / 412 itself.
std::optional<nlohmann::json> scheduleForUpdate(sdk::Txn& txn, const sdk::Request& request,
                                                sdk::Response& response) {
  const std::string id = request.param("id").value_or("");
  const auto schedule = isUuid(id) ? loadSchedule(txn, id, true) : std::nullopt;
  if (!schedule) {
    scheduleNotFound(response, request, id);
    return std::nullopt;
  }
  if (const auto refused =
          sdk::checkIfMatch(request.header("If-Match"), scheduleVersion(*schedule))) {
    sendClientError(response, request, *refused);
    return std::nullopt;
  }
  return schedule;
}

void listSchedules(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto source_id = request.query("sourceId");
  if (source_id && !isUuid(std::string(*source_id))) {
    sendError(response, request, 400, "INVALID_QUERY", "sourceId: must be a source id (a UUID)",
              {{"field", "sourceId"}});
    return;
  }
  std::optional<std::string> source_filter;
  if (source_id) {
    source_filter = std::string(*source_id);
  }
  // A page token is good only for the filter it was made with.
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kSchedulesBase), {{"sourceId", source_filter}});
  const auto page = idPageRequest(request, response, binding, "schedule");
  if (!page) {
    return;
  }
  nlohmann::json items = nlohmann::json::array();
  for (auto& item : listScheduleRows(txn, page->after, source_filter, page->page.fetchLimit())) {
    items.push_back(std::move(item));
  }
  sendIdPage(response, *page, std::move(items), binding, "schedules");
}

void createSchedule(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                    sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const ScheduleInput input = parseScheduleBody(*body, ScheduleBody::kCreate);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const std::string& source_id = *input.fields.source_id;
  // Locks the source: two concurrent creates for it are serialized, the second sees the first.
  if (!lockSourceRow(txn, source_id)) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "sourceId: no source with id '" + source_id + "'", {{"field", "sourceId"}});
    return;
  }
  if (const auto existing = loadScheduleOfSource(txn, source_id, false)) {
    sendError(response, request, 409, "SCHEDULE_EXISTS",
              "source '" + source_id + "' already has schedule '" +
                  (*existing)["id"].get<std::string>() + "'; change it with PUT",
              {{"existingId", (*existing)["id"]}});
    return;
  }
  const std::string id = ids.next();
  const auto schedule = insertSchedule(txn, id, input.fields, databaseNow(txn));
  appendEvents(txn, {scheduleEvent("schedule.created", schedule)}, ids, request);
  response.header("Location", std::string(kSchedulesBase) + "/" + id);
  sendSchedule(response, 201, schedule);
}

void getSchedule(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto schedule = isUuid(id) ? loadSchedule(txn, id, false) : std::nullopt;
  if (!schedule) {
    scheduleNotFound(response, request, id);
    return;
  }
  if (answeredNotModified(request, response, scheduleVersion(*schedule))) {
    return;
  }
  sendSchedule(response, 200, *schedule);
}

void replaceScheduleRoute(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                          sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  ScheduleInput input = parseScheduleBody(*body, ScheduleBody::kReplace);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const auto before = scheduleForUpdate(txn, request, response);
  if (!before) {
    return;
  }
  if (input.fields.source_id && *input.fields.source_id != (*before)["sourceId"]) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "sourceId: a schedule's source cannot change (delete it and create another)",
              {{"field", "sourceId"}});
    return;
  }
  const auto after =
      replaceSchedule(txn, (*before)["id"].get<std::string>(), input.fields, databaseNow(txn));
  appendEvents(txn, {scheduleEvent("schedule.updated", after)}, ids, request);
  sendSchedule(response, 200, after);
}

void deleteScheduleRoute(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                         sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto schedule = scheduleForUpdate(txn, request, response);
  if (!schedule) {
    return;
  }
  deleteSchedule(txn, (*schedule)["id"].get<std::string>());
  appendEvents(txn, {scheduleEvent("schedule.deleted", *schedule)}, ids, request);
  response.status(204);
}

void triggerSchedule(sdk::Host& host, const SyncDagRegistry& dags, sdk::UuidV7Generator& ids,
                     const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto schedule = scheduleForUpdate(txn, request, response);
  if (!schedule) {
    return;
  }
  const std::string schedule_id = (*schedule)["id"].get<std::string>();
  const std::string source_id = (*schedule)["sourceId"].get<std::string>();
  const auto source = loadSourceForSync(txn, txn.tenant(), source_id);
  if ((*source)["paused"].get<bool>() || !(*source)["enabled"].get<bool>()) {
    const bool paused = (*source)["paused"].get<bool>();
    sendError(response, request, 409, paused ? "SOURCE_PAUSED" : "SOURCE_DISABLED",
              "source '" + (*source)["name"].get<std::string>() + "' is " +
                  (paused ? "paused; resume it" : "disabled; enable it") + " before a trigger");
    return;
  }
  const int64_t active = activeScheduleRuns(txn, txn.tenant(), source_id);
  const int limit = (*schedule)["maxParallelRuns"].get<int>();
  if (active >= limit) {
    sendError(response, request, 409, "SCHEDULE_BUSY",
              "schedule '" + schedule_id + "' has " + std::to_string(active) +
                  " runs queued or running and allows " + std::to_string(limit) +
                  " (maxParallelRuns)",
              {{"activeRuns", active}, {"maxParallelRuns", limit}});
    return;
  }
  if (const auto busy = activeSyncOfLock(txn, txn.tenant(), *source)) {
    sendSyncInProgress(response, request, *source, *busy);
    return;
  }
  const SysTime now = databaseNow(txn);
  const std::string fire_at = rfc3339Micros(now);
  SyncRequest sync;
  sync.run_kind = "schedule";
  sync.trigger = "trigger";
  sync.extra = {{"scheduleId", schedule_id}, {"fireAt", fire_at}};
  sync.reason = "schedule triggered";
  sync.run_id = ids.next();
  sync.window = liveWindow(txn, txn.tenant(), source_id, fire_at);
  FireRecord fire;
  fire.tenant = std::string(txn.tenant());
  fire.schedule_id = schedule_id;
  fire.fire_at = now;
  fire.outcome = "triggered";
  fire.run_id = sync.run_id;
  recordFire(txn, fire);
  SyncRun run = createSyncRun(txn, ids, dags, *source, sync, Origin::of(txn, request));
  run.events.push_back(
      scheduleEvent("schedule.triggered", *schedule, {{"runId", run.run_id}, {"fireAt", fire_at}}));
  appendEvents(txn, run.events, ids, request);
  response.header("Location", "/api/v1/jobengine/runs/" + run.run_id);
  response.json(202, {{"scheduleId", schedule_id},
                      {"sourceId", source_id},
                      {"runId", run.run_id},
                      {"jobId", run.job_id},
                      {"jobType", run.job_type},
                      {"fireAt", fire_at},
                      {"status", "queued"}});
}

void previewSchedule(const sdk::Request& request, sdk::Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const PreviewInput input = parsePreviewBody(*body);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const ParsedSchedule parsed = parseCronAndZone(input.cron, input.time_zone);
  nlohmann::json fires = nlohmann::json::array();
  SysTime at = input.from.value_or(std::chrono::system_clock::now());
  for (int i = 0; i < input.count; ++i) {
    const auto next = nextFire(*parsed.cron, *parsed.zone, at);
    if (!next) {
      break;  // e.g. "0 0 30 2 *": never
    }
    fires.push_back(sdk::formatRfc3339(*next, sdk::TimePrecision::kSeconds));
    at = *next;
  }
  response.json(200, {{"cron", input.cron}, {"timeZone", input.time_zone}, {"fires", fires}});
}

}  // namespace

void registerScheduleRoutes(sdk::Host& host, sdk::ApiDoc& doc, const SyncDagRegistry& dags) {
  const SyncDagRegistry* d = &dags;
  auto ids = std::make_shared<sdk::UuidV7Generator>();
  sdk::Host* h = &host;
  const std::string base = kSchedulesBase;
  const std::string item = base + "/:id";
  host.route(
      "GET", kSchedulesBase, "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listSchedules(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", kSchedulesBase));
  host.route(
      "POST", kSchedulesBase, "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { createSchedule(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", kSchedulesBase));
  host.route(
      "POST", (base + "/preview").c_str(), "orch:read",
      [](const sdk::Request& rq, sdk::Response& rs) { previewSchedule(rq, rs); }, 0,
      doc.operation("POST", base + "/preview"));
  host.route(
      "GET", item.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { getSchedule(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", item));
  host.route(
      "PUT", item.c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) {
        replaceScheduleRoute(*h, *ids, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("PUT", item));
  host.route(
      "DELETE", item.c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) {
        deleteScheduleRoute(*h, *ids, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("DELETE", item));
  host.route(
      "POST", (item + "/trigger").c_str(), "orch:operate",
      [h, d, ids](const sdk::Request& rq, sdk::Response& rs) {
        triggerSchedule(*h, *d, *ids, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("POST", item + "/trigger"));
}

}  // namespace jobengine::scheduler
