// Route glue of the sources-concelier plugin: the info route here, the connectors' routes are the
// adapter kit's (record_routes.hpp), the observations' in routes_observations.cpp.
#include "routes.hpp"

#include <jobengine/adapter/record_routes.hpp>

#include "api_doc_files.hpp"

namespace jobengine::concelier {

void sendError(sdk::Response& response, const sdk::Request& request, int status,
               const std::string& code, const std::string& message, const nlohmann::json& details) {
  response.error(status, code, message, request.traceId(), details);
}

void registerRoutes(sdk::Host& host, AdapterContext& context, const nlohmann::json& info) {
  // Every route is described in openapi/ (embedded at build time; docs/api.md, "Schemas").
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  const std::string info_path = std::string(kApiBase) + "/info";
  host.route(
      "GET", info_path.c_str(), "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", info_path));
  adapter::registerRecordRoutes(host, doc, context, kApiBase);
  registerObservationRoutes(host, doc);
  doc.requireAllUsed();
}

}  // namespace jobengine::concelier
