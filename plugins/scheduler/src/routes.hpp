// HTTP routes of the scheduler plugin: translation between the SDK's Request/Response and the
// job service. Each area registers from its own file; plugin_main.cpp calls every register*
// function from the plugin's constructor (inside create()), nowhere else. Every route takes
// its OpenAPI operation from the plugin's openapi/ folder (sdk::ApiDoc, docs/api.md
// "Schemas"): request and response schemas live there, not in the code.
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/pagination.hpp>
#include <jobengine/plugin.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "job_service.hpp"
#include "job_store.hpp"

namespace jobengine::scheduler {

inline constexpr const char* kApiBase = "/api/v1/jobengine";

// GET /api/v1/jobengine/scheduler/info: {id, version, description, config}.
void registerRoutes(sdk::Host& host, sdk::ApiDoc& doc, const nlohmann::json& info);
// routes_jobs.cpp: /jobs, /jobs/batch, /jobs/summary, /jobs/:id[/history|cancel|retry|...].
void registerJobRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service);
// routes_runs.cpp: /runs, /runs/:id, /runs/:id/plan, /runs/:id/cancel.
void registerRunRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service);
// routes_worker.cpp: the worker bridge /worker/*.
void registerWorkerRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service);

// ---- helpers shared by the route files (routes.cpp) --------------------------------------

// Runs fn on the request's transaction; ApiError becomes the SPEC §5 envelope. The route's
// OpenAPI operation is doc's "METHOD path" (an undocumented route throws: create() fails).
using TxnHandler = std::function<void(const sdk::Request&, sdk::Response&, sdk::Txn&)>;
void addRoute(sdk::Host& host, sdk::ApiDoc& doc, const char* method, const std::string& path,
              const char* scope, TxnHandler fn);

// The JSON body as an object; throws ApiError 400 when it is not one.
nlohmann::json bodyObject(const sdk::Request& request);
// The acting subject for events ("anonymous" without a token).
std::string actorOf(const sdk::Request& request);
// A path parameter that must be a UUID (404 NOT_FOUND otherwise: such an id cannot exist).
std::string uuidParam(const sdk::Request& request, const char* name, const char* what);
// A newest-first list keyed by (created_at in microseconds, id) — jobs, runs — paged with the
// SDK's helpers (jobengine/pagination.hpp): the page request and the key to continue after.
// `binding` is sdk::pageBinding(route, filters). Throws ApiError 400 INVALID_PAGE_SIZE /
// INVALID_PAGE_TOKEN.
struct CreatedAtPage {
  sdk::PageRequest request;
  std::optional<int64_t> after_micros;
  std::optional<std::string> after_id;
};
CreatedAtPage createdAtPage(const sdk::Request& request, const std::string& binding);
// One fetched row of such a list: CreatedAtRow (job_store.hpp).
// Trims rows (fetched with request.fetchLimit()) into {"items": [...], "nextPageToken"?}.
nlohmann::json createdAtPageBody(std::vector<CreatedAtRow>& rows, const CreatedAtPage& page,
                                 const std::string& binding);

}  // namespace jobengine::scheduler
