// routes_packruns.cpp — HTTP glue for /api/v1/jobengine/pack-runs.
//
// POST /pack-runs is deliberately NOT a JE_ROUTE_TXN route: the host answers a missing tenant
// on such routes with 403, while SPEC §5 wants 422 TENANT_REQUIRED / PROJECT_REQUIRED here.
// The handler checks both first and only then opens its own tenant-bound transaction, so a
// refused request touches nothing (no row, no event). It creates one run (kind pack), one
// queued job (type body.jobType, default "pack.run", claimed by task runners through the
// worker bridge) and the pack_runs row, with run.created + job.created.
//
// Logs: a worker appends lines (POST .../logs); seq is per pack run, max + 1 under the pack
// run's row lock, so concurrent appenders serialize and readers resume with ?after=<seq>.
// Each line is also a pack_run.log event (run_id = the pack run's run) for live streams.
// The REST port cannot stream (Pistache, DESIGN §4): GET .../logs with
// Accept: text/event-stream answers 307 to the stream listener. The SQL is in packrun_store.cpp.
#include "routes_packruns.hpp"

#include <memory>

#include "ops_store.hpp"
#include "packrun_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr const char* kPackRunsBase = "/api/v1/jobengine/pack-runs";

void notFound(const sdk::Request& request, sdk::Response& response, const std::string& id) {
  sendError(response, request, 404, "PACK_RUN_NOT_FOUND", "no pack run with id '" + id + "'");
}

std::optional<FieldError> checkCreateBody(const nlohmann::json& body) {
  const auto bad = [](const std::string& field, const std::string& message) {
    return FieldError{422, "VALIDATION_FAILED", field + ": " + message, field};
  };
  for (const auto& item : body.items()) {
    const std::string& k = item.key();
    if (k != "projectId" && k != "packRef" && k != "inputs" && k != "jobType" &&
        k != "taskRunnerId" && k != "correlationId" && k != "priority") {
      return FieldError{422, "UNKNOWN_FIELD",
                        k + ": unknown field (allowed: projectId, packRef, inputs, jobType, "
                            "taskRunnerId, correlationId, priority)",
                        k};
    }
  }
  if (!body.contains("packRef") || !body["packRef"].is_string() || body["packRef"].empty() ||
      body["packRef"].get<std::string>().size() > 512) {
    return bad("packRef", "is required: the pack to run, 1-512 characters");
  }
  if (body.contains("inputs") && !body["inputs"].is_object()) {
    return bad("inputs", "must be an object");
  }
  for (const char* key : {"jobType", "taskRunnerId", "correlationId", "projectId"}) {
    if (body.contains(key) && (!body[key].is_string() || body[key].empty() ||
                               body[key].get<std::string>().size() > 200)) {
      return bad(key, "must be a string of 1-200 characters");
    }
  }
  if (body.contains("priority") &&
      (!body["priority"].is_number_integer() || body["priority"].get<int64_t>() < 0 ||
       body["priority"].get<int64_t>() > 9)) {
    return bad("priority", "must be an integer from 0 to 9 (default 5)");
  }
  return std::nullopt;
}

void createPackRun(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                   sdk::Response& response) {
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  if (!body->is_object()) {
    sendError(response, request, 400, "INVALID_BODY", "the body must be a JSON object");
    return;
  }
  std::string project(request.project());
  if (body->contains("projectId") && (*body)["projectId"].is_string()) {
    project = (*body)["projectId"].get<std::string>();
  }
  // SPEC §5: a pack run needs the tenant *header*, not only a token that names a tenant.
  const bool tenant_header = request.header("X-StellaOps-Tenant").has_value() ||
                             request.header("X-Stella-Tenant").has_value();
  const std::string tenant = tenant_header ? std::string(request.tenant()) : std::string();
  nlohmann::json missing = nlohmann::json::array();
  if (tenant.empty()) {
    missing.push_back("tenant");
  }
  if (project.empty()) {
    missing.push_back("projectId");
  }
  if (tenant.empty()) {
    sendError(response, request, 422, "TENANT_REQUIRED",
              "a pack run needs a tenant: send the X-StellaOps-Tenant header; nothing was created",
              {{"missing", missing}});
    return;
  }
  if (project.empty()) {
    sendError(response, request, 422, "PROJECT_REQUIRED",
              "a pack run needs a project: send projectId in the body or the X-StellaOps-Project "
              "header; nothing was created",
              {{"missing", missing}});
    return;
  }
  if (const auto error = checkCreateBody(*body)) {
    sendFieldError(response, request, *error);
    return;
  }
  auto txn = host.begin(tenant);
  const std::string pack_id = ids.next();
  const std::string run_id = ids.next();
  NewJob job;
  job.id = ids.next();
  job.project_id = project;
  job.run_id = run_id;
  job.job_key = "pack";
  job.job_type = body->value("jobType", std::string("pack.run"));
  job.priority = body->value("priority", 5);
  job.correlation_id = body->contains("correlationId") ? (*body)["correlationId"].get<std::string>()
                                                       : std::string(request.requestId());
  const nlohmann::json inputs = body->value("inputs", nlohmann::json::object());
  job.payload = {{"packRunId", pack_id},
                 {"packRef", (*body)["packRef"]},
                 {"inputs", inputs},
                 {"projectId", project}};
  std::vector<OpsEvent> events;
  events.push_back(insertRun(txn, run_id, "pack", project, std::nullopt, 1,
                             "pack " + (*body)["packRef"].get<std::string>(), request));
  events.push_back(insertQueuedJob(txn, job, request));
  const auto opt = [&](const char* key) -> std::optional<std::string> {
    return body->contains(key) ? std::optional<std::string>((*body)[key].get<std::string>())
                               : std::nullopt;
  };
  NewPackRun row;
  row.id = pack_id;
  row.project_id = project;
  row.run_id = run_id;
  row.job_id = job.id;
  row.pack_ref = (*body)["packRef"].get<std::string>();
  row.inputs = inputs;
  row.task_runner_id = opt("taskRunnerId");
  row.correlation_id = job.correlation_id;
  if (!request.subject().empty()) {
    row.created_by = std::string(request.subject());
  }
  insertPackRun(txn, row);
  appendEvents(txn, events, ids, request);
  const auto created = loadPackRun(txn, pack_id, false);
  txn.commit();
  response.header("Location", std::string(kPackRunsBase) + "/" + pack_id);
  response.json(201, *created);
}

void getPackRun(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto pack = loadPackRun(txn, id, false);
  if (!pack) {
    notFound(request, response, id);
    return;
  }
  response.json(200, *pack);
}

}  // namespace

// Defined in routes_packrun_logs.cpp.
void appendPackRunLogs(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                       sdk::Response& response);
void readPackRunLogs(sdk::Host& host, const je_config_v1* config, const sdk::Request& request,
                     sdk::Response& response);

void registerPackRunRoutes(sdk::Host& host, sdk::ApiDoc& doc) {
  auto ids = std::make_shared<sdk::UuidV7Generator>();
  sdk::Host* h = &host;
  const auto* config = host.required<je_config_v1>(JE_SERVICE_CONFIG, 1);
  const std::string item = std::string(kPackRunsBase) + "/:id";
  // No JE_ROUTE_TXN: see the file comment (422, not 403, for a missing tenant).
  host.route(
      "POST", kPackRunsBase, "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { createPackRun(*h, *ids, rq, rs); }, 0,
      doc.operation("POST", kPackRunsBase));
  host.route(
      "GET", item.c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { getPackRun(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", item));
  host.route(
      "POST", (item + "/logs").c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { appendPackRunLogs(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", item + "/logs"));
  host.route(
      "GET", (item + "/logs").c_str(), "orch:read",
      [h, config](const sdk::Request& rq, sdk::Response& rs) {
        readPackRunLogs(*h, config, rq, rs);
      },
      JE_ROUTE_TXN, doc.operation("GET", item + "/logs"));
}

}  // namespace jobengine::scheduler
