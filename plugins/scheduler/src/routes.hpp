// HTTP routes of the scheduler plugin: translation between the SDK's Request/Response and the
// job service. Each area registers from its own file; plugin_main.cpp calls every register*
// function from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "job_service.hpp"

namespace jobengine::scheduler {

inline constexpr const char* kApiBase = "/api/v1/jobengine";

// GET /api/v1/jobengine/scheduler/info: {id, version, description, config}.
void registerRoutes(sdk::Host& host, const nlohmann::json& info);
// routes_jobs.cpp: /jobs, /jobs/batch, /jobs/summary, /jobs/:id[/history|cancel|retry|...].
void registerJobRoutes(sdk::Host& host, JobService& service);
// routes_runs.cpp: /runs, /runs/:id, /runs/:id/plan, /runs/:id/cancel.
void registerRunRoutes(sdk::Host& host, JobService& service);
// routes_worker.cpp: the worker bridge /worker/*.
void registerWorkerRoutes(sdk::Host& host, JobService& service);

// ---- helpers shared by the route files (routes.cpp) --------------------------------------

// Runs fn on the request's transaction; ApiError becomes the SPEC §5 envelope.
using TxnHandler = std::function<void(const sdk::Request&, sdk::Response&, sdk::Txn&)>;
void addRoute(sdk::Host& host, const char* method, const std::string& path, const char* scope,
              const std::string& openapi, TxnHandler fn);

// The JSON body as an object; throws ApiError 400 when it is not one.
nlohmann::json bodyObject(const sdk::Request& request);
// The acting subject for events ("anonymous" without a token).
std::string actorOf(const sdk::Request& request);
// A path parameter that must be a UUID (404 NOT_FOUND otherwise: such an id cannot exist).
std::string uuidParam(const sdk::Request& request, const char* name, const char* what);
// page_size (default 50, 1..500); 400 when malformed.
int pageSize(const sdk::Request& request);
// Opaque keyset token <-> (created_at micros, id). decode throws ApiError 400.
std::string encodePageToken(int64_t micros, const std::string& id);
std::pair<int64_t, std::string> decodePageToken(const std::string& token);

// An OpenAPI operation object as JSON text. params: "name:in:type:description".
std::string openapi(const std::string& summary, const std::vector<std::string>& params,
                    bool has_body, const std::string& ok_status, bool paginated = false);

}  // namespace jobengine::scheduler
