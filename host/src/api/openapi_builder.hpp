// Assembles the live OpenAPI 3.1 document (GET /openapi/jobengine.json) from the routes the
// host and the loaded plugins registered.
//
// Each RouteEntry may carry an OpenAPI operation fragment (openapi_json); the builder keeps what
// the fragment says and fills in what every operation must have: a unique operationId derived
// from owner + method + path, tags [owner], declared path parameters ("/jobs/:id" becomes
// "/jobs/{id}"), bearer security with x-required-scope, the tenant/project headers, operator
// headers on mutating operate/quota/backfill actions, Idempotency-Key on POSTs, pagination
// parameters when the fragment sets "x-paginated": true, and the standard error responses,
// all referencing shared components (ErrorEnvelope schema, parameters, responses).
#pragma once

#include "http/route_table.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace jobengine::host {

struct OpenApiInfo {
  std::string title = "JobEngine API";
  std::string version = "0.1.0";
  std::string description =
      "Control plane for scheduling, throttling and auditing asynchronous jobs.";
  std::vector<std::string> servers = {"/"};
  // Descriptions of tags (one tag per owner); a tag not named here gets a generic one.
  std::map<std::string, std::string> tag_descriptions = {
      {"host",
       "The engine's own routes: health and readiness, metrics, loaded plugins, leadership, "
       "the event listing, the stream redirects and tokens, and this document (JSON and "
       "HTML)."}};
};

class OpenApiBuilder {
 public:
  explicit OpenApiBuilder(OpenApiInfo info = {}) : info_(std::move(info)) {}

  // The whole document. `components` are the owners' shared components (ApiComponents::merged),
  // added to hostComponents(). Routes whose fragment is not a JSON object keep the defaults and
  // get "x-fragment-error" explaining why (the document stays valid).
  nlohmann::json build(const std::vector<RouteEntry>& routes,
                       const nlohmann::json& components = nlohmann::json::object()) const;

  // The host's components: ErrorEnvelope, the standard parameters and error responses, bearer
  // security. The engine registers them as owner "host" so no plugin can take their names.
  static nlohmann::json hostComponents();

  // "/api/v1/jobengine/jobs/:id" -> "/api/v1/jobengine/jobs/{id}".
  static std::string toOpenApiPath(const std::string& pattern);
  // "scheduler" + "POST" + "/api/v1/jobengine/jobs/:id/cancel" -> "scheduler_postJobsIdCancel".
  static std::string operationIdFor(const RouteEntry& route);

 private:
  OpenApiInfo info_;
};

}  // namespace jobengine::host
