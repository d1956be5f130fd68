// Route glue of the sources-excititor plugin. For now one route: its identity and effective config.
#include "routes.hpp"

#include "api_doc_files.hpp"

namespace jobengine::excititor {

void registerRoutes(sdk::Host& host, const nlohmann::json& info) {
  // Every route is described in openapi/ (embedded at build time; docs/api.md, "Schemas").
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  constexpr const char* kInfoPath = "/api/v1/jobengine/excititor/info";
  host.route(
      "GET", kInfoPath, "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", kInfoPath));
  doc.requireAllUsed();
}

}  // namespace jobengine::excititor
