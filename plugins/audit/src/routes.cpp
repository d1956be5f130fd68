// Route glue of the audit plugin. For now one route: its identity and effective config.
#include "routes.hpp"

namespace jobengine::audit {

void registerRoutes(sdk::Host& host, const nlohmann::json& info) {
  host.route("GET", "/api/v1/jobengine/audit/info", "orch:read",
             [info](const sdk::Request& /*request*/, sdk::Response& response) {
               response.json(200, info);
             });
}

}  // namespace jobengine::audit
