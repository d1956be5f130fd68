// Route glue of the sources-excititor plugin. For now one route: its identity and effective config.
#include "routes.hpp"

namespace jobengine::excititor {

void registerRoutes(sdk::Host& host, const nlohmann::json& info) {
  host.route("GET", "/api/v1/jobengine/sources-excititor/info", "orch:read",
             [info](const sdk::Request& /*request*/, sdk::Response& response) {
               response.json(200, info);
             });
}

}  // namespace jobengine::excititor
