// routes_sources.cpp — HTTP glue for /api/v1/jobengine/sources. Every route runs in the
// request's tenant-bound transaction (JE_ROUTE_TXN); every mutation appends its source.*
// event in that transaction, so the change and its event commit together.
//
// Decisions (documented in plugins/scheduler/README.md, "Operator routes"):
//  * Order of GET /sources: id ascending (UUIDv7 = creation order), keyset-paginated.
//  * ETag "v<version>" (jobengine/etag.hpp); If-Match is optional on PATCH/DELETE/pause/resume,
//    and when given it must name the current version ("*" matches any; a list matches when one
//    of its tags does) or the answer is 412 and nothing changes. If-None-Match on GET → 304.
//  * pause/resume of a source already in that state answer 200 without a new version or event.
//  * sync of a paused or disabled source is 409 (resume / enable it first); otherwise one run
//    (kind sync) with one queued job of syncJobType(kind, config), covering the window
//    [the "default" scope's watermark, now) (README "Watermarks and backfills").
//  * watermarks: read by anyone with orch:read; PUT .../watermarks/{scope} (orch:backfill,
//    reason and ticket) is the one way to move one backwards.
#include "routes_sources.hpp"

#include <jobengine/etag.hpp>
#include <jobengine/time_format.hpp>

#include <memory>

#include "core/backfill_plan.hpp"
#include "core/source_spec.hpp"
#include "ops_store.hpp"
#include "schedule_store.hpp"
#include "source_store.hpp"
#include "source_sync.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr const char* kSourcesBase = "/api/v1/jobengine/sources";

uint64_t sourceVersion(const nlohmann::json& source) {
  return static_cast<uint64_t>(source["version"].get<int64_t>());
}

void sendSource(sdk::Response& response, int status, const nlohmann::json& source) {
  response.header("ETag", sdk::makeEtag(sourceVersion(source)));
  response.json(status, source);
}

// Resolves {id} and the If-Match precondition; answers 404 / 412 itself and returns nullopt.
std::optional<nlohmann::json> sourceForUpdate(sdk::Txn& txn, const sdk::Request& request,
                                              sdk::Response& response) {
  const std::string id = request.param("id").value_or("");
  std::optional<nlohmann::json> source;
  if (isUuid(id)) {
    source = loadSource(txn, id, true);
  }
  if (!source) {
    sendError(response, request, 404, "SOURCE_NOT_FOUND", "no source with id '" + id + "'");
    return std::nullopt;
  }
  if (const auto refused = sdk::checkIfMatch(request.header("If-Match"), sourceVersion(*source))) {
    sendClientError(response, request, *refused);
    return std::nullopt;
  }
  return source;
}

void listSources(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string binding = "GET " + std::string(kSourcesBase);
  const auto page = idPageRequest(request, response, binding, "source");
  if (!page) {
    return;
  }
  nlohmann::json items = nlohmann::json::array();
  for (auto& item : listSourceRows(txn, page->after, page->page.fetchLimit())) {
    items.push_back(std::move(item));
  }
  sendIdPage(response, *page, std::move(items), binding, "sources");
}

void createSource(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                  sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const SourceInput input = parseSourceCreate(*body);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const auto& c = input.columns;
  if (const auto existing = sourceIdByName(txn, c["name"].get<std::string>())) {
    sendError(response, request, 409, "SOURCE_EXISTS",
              "a source named '" + c["name"].get<std::string>() + "' already exists",
              {{"existingId", *existing}});
    return;
  }
  const std::string id = ids.next();
  std::optional<nlohmann::json> source;
  try {
    source = insertSource(txn, id, c);
  } catch (const sdk::Error& e) {
    if (e.status() != JE_ERR_CONFLICT) {
      throw;
    }
    sendError(response, request, 409, "SOURCE_EXISTS",
              "a source named '" + c["name"].get<std::string>() + "' was created concurrently");
    return;
  }
  std::vector<OpsEvent> events;
  if (input.schedule && !input.schedule->is_null()) {
    events = applySourceSchedule(txn, ids, id, *input.schedule);
    source = loadSource(txn, id);
  }
  events.insert(events.begin(), sourceEvent("source.created", *source));
  appendEvents(txn, events, ids, request);
  response.header("Location", std::string(kSourcesBase) + "/" + id);
  sendSource(response, 201, *source);
}

void getSource(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto source = isUuid(id) ? loadSource(txn, id) : std::nullopt;
  if (!source) {
    sendError(response, request, 404, "SOURCE_NOT_FOUND", "no source with id '" + id + "'");
    return;
  }
  if (answeredNotModified(request, response, sourceVersion(*source))) {
    return;
  }
  sendSource(response, 200, *source);
}

void patchSource(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                 sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const SourceInput input = parseSourcePatch(*body);
  if (input.error) {
    sendFieldError(response, request, *input.error);
    return;
  }
  const auto before = sourceForUpdate(txn, request, response);
  if (!before) {
    return;
  }
  const auto& c = input.columns;
  if (c.contains("name") && c["name"] != (*before)["name"]) {
    if (const auto other = sourceIdByName(txn, c["name"].get<std::string>())) {
      sendError(response, request, 409, "SOURCE_EXISTS",
                "a source named '" + c["name"].get<std::string>() + "' already exists",
                {{"existingId", *other}});
      return;
    }
  }
  std::optional<nlohmann::json> after = updateSource(txn, (*before)["id"].get<std::string>(), c);
  nlohmann::json changed = nlohmann::json::array();
  for (const auto& item : body->items()) {
    changed.push_back(item.key());
  }
  std::vector<OpsEvent> events;
  if (input.schedule) {
    events = applySourceSchedule(txn, ids, (*after)["id"].get<std::string>(), *input.schedule);
    after = loadSource(txn, (*after)["id"].get<std::string>());
  }
  events.insert(events.begin(), sourceEvent("source.updated", *after, {{"changed", changed}}));
  appendEvents(txn, events, ids, request);
  sendSource(response, 200, *after);
}

void deleteSource(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                  sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto source = sourceForUpdate(txn, request, response);
  if (!source) {
    return;
  }
  removeSource(txn, (*source)["id"].get<std::string>());
  appendEvents(txn, {sourceEvent("source.deleted", *source)}, ids, request);
  response.status(204);
}

void setPaused(sdk::Host& host, sdk::UuidV7Generator& ids, bool pause, const sdk::Request& request,
               sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  if (!body->is_object() || (body->contains("reason") && !(*body)["reason"].is_string())) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "reason: must be a string (or use X-StellaOps-Operator-Reason)",
              {{"field", "reason"}});
    return;
  }
  const auto source = sourceForUpdate(txn, request, response);
  if (!source) {
    return;
  }
  if ((*source)["paused"].get<bool>() == pause) {
    sendSource(response, 200, *source);  // already in that state: no new version, no event
    return;
  }
  std::optional<std::string> reason;
  if (pause) {
    reason = body->contains("reason") ? (*body)["reason"].get<std::string>()
                                      : std::string(request.operatorReason());
    if (reason->empty()) {
      reason.reset();
    }
  }
  const std::optional<nlohmann::json> after =
      setSourcePaused(txn, (*source)["id"].get<std::string>(), pause, reason);
  nlohmann::json data = nlohmann::json::object();
  if (reason) {
    data["reason"] = *reason;
  }
  appendEvents(txn, {sourceEvent(pause ? "source.paused" : "source.resumed", *after, data)}, ids,
               request);
  sendSource(response, 200, *after);
}

void syncSource(sdk::Host& host, const SyncDagRegistry& dags, sdk::UuidV7Generator& ids,
                const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto source = sourceForUpdate(txn, request, response);
  if (!source) {
    return;
  }
  const std::string source_id = (*source)["id"].get<std::string>();
  if ((*source)["paused"].get<bool>() || !(*source)["enabled"].get<bool>()) {
    const bool paused = (*source)["paused"].get<bool>();
    sendError(response, request, 409, paused ? "SOURCE_PAUSED" : "SOURCE_DISABLED",
              "source '" + (*source)["name"].get<std::string>() + "' is " +
                  (paused ? "paused; resume it" : "disabled; enable it") + " before a sync");
    return;
  }
  if (const auto busy = activeSyncOfLock(txn, txn.tenant(), *source)) {
    sendSyncInProgress(response, request, *source, *busy);
    return;
  }
  SyncRequest sync;
  sync.trigger = "manual";
  sync.reason = "manual sync";
  sync.window = liveWindow(txn, txn.tenant(), source_id, rfc3339Micros(databaseNow(txn)));
  SyncRun run = createSyncRun(txn, ids, dags, *source, sync, Origin::of(txn, request));
  run.events.push_back(sourceEvent("source.sync_requested", *source,
                                   {{"runId", run.run_id}, {"jobId", run.job_id}}));
  appendEvents(txn, run.events, ids, request);
  response.header("Location", "/api/v1/jobengine/runs/" + run.run_id);
  response.json(202, {{"runId", run.run_id},
                      {"jobId", run.job_id},
                      {"jobType", run.job_type},
                      {"sourceId", source_id},
                      {"status", "queued"}});
}

void sourceWatermarks(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  if (!isUuid(id) || !loadSource(txn, id)) {
    sendError(response, request, 404, "SOURCE_NOT_FOUND", "no source with id '" + id + "'");
    return;
  }
  response.json(200, {{"sourceId", id}, {"watermarks", listWatermarks(txn, id)}});
}

// The audited admin set (orch:backfill: the host demands reason and ticket): the one way a
// watermark moves backwards. If-Match names the watermark's version (absent: "v0" matches
// nothing but "*").
void setSourceWatermark(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                        sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const std::string scope = request.param("scope").value_or("");
  if (!validWatermarkScope(scope)) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "scope: must be 1 to 64 characters of A-Z a-z 0-9 . _ : -", {{"field", "scope"}});
    return;
  }
  const auto value =
      body->is_object() && body->contains("watermark") && (*body)["watermark"].is_string()
          ? sdk::parseRfc3339((*body)["watermark"].get<std::string>())
          : std::nullopt;
  if (!value) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "watermark: required, an RFC 3339 time such as \"2027-03-01T00:00:00Z\"",
              {{"field", "watermark"}});
    return;
  }
  const std::string id = request.param("id").value_or("");
  const auto source = isUuid(id) ? loadSource(txn, id) : std::nullopt;
  if (!source) {
    sendError(response, request, 404, "SOURCE_NOT_FOUND", "no source with id '" + id + "'");
    return;
  }
  lockWatermarkScope(txn, txn.tenant(), id, scope);
  const auto before = loadWatermark(txn, id, scope, true);
  const uint64_t version = before ? (*before)["version"].get<uint64_t>() : 0;
  if (const auto refused = sdk::checkIfMatch(request.header("If-Match"), version)) {
    sendClientError(response, request, *refused);
    return;
  }
  const auto after = setWatermark(txn, id, scope, rfc3339Micros(*value));
  OpsEvent e;
  e.type = "watermark.set";
  e.source_id = id;
  e.body["data"] = {{"sourceId", id},
                    {"scope", scope},
                    {"from", before ? (*before)["watermark"] : nlohmann::json(nullptr)},
                    {"to", after["watermark"]},
                    {"version", after["version"]},
                    {"reason", std::string(request.operatorReason())},
                    {"ticket", std::string(request.operatorTicket())}};
  appendEvents(txn, {e}, ids, request);
  response.header("ETag", sdk::makeEtag(after["version"].get<uint64_t>()));
  response.json(200, after);
}

}  // namespace

void registerSourceRoutes(sdk::Host& host, sdk::ApiDoc& doc, const SyncDagRegistry& dags) {
  const SyncDagRegistry* d = &dags;
  auto ids = std::make_shared<sdk::UuidV7Generator>();
  sdk::Host* h = &host;
  const std::string base = kSourcesBase;
  const std::string item = base + "/:id";
  host.route(
      "GET", kSourcesBase, "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listSources(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", kSourcesBase));
  host.route(
      "POST", kSourcesBase, "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { createSource(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", kSourcesBase));
  host.route(
      "GET", item.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { getSource(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", item));
  host.route(
      "PATCH", item.c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { patchSource(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("PATCH", item));
  host.route(
      "DELETE", item.c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { deleteSource(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("DELETE", item));
  host.route(
      "POST", (item + "/pause").c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { setPaused(*h, *ids, true, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", item + "/pause"));
  host.route(
      "POST", (item + "/resume").c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { setPaused(*h, *ids, false, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", item + "/resume"));
  host.route(
      "POST", (item + "/sync").c_str(), "orch:operate",
      [h, d, ids](const sdk::Request& rq, sdk::Response& rs) { syncSource(*h, *d, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", item + "/sync"));
  host.route(
      "GET", (item + "/watermarks").c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { sourceWatermarks(*h, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", item + "/watermarks"));
  host.route(
      "PUT", (item + "/watermarks/:scope").c_str(), "orch:backfill",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { setSourceWatermark(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("PUT", item + "/watermarks/:scope"));
}

}  // namespace jobengine::scheduler
