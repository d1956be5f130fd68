// Route glue of the scheduler plugin. For now one route: its identity and effective config.
#include "routes.hpp"

namespace jobengine::scheduler {

void registerRoutes(sdk::Host& host, const nlohmann::json& info) {
  host.route("GET", "/api/v1/jobengine/scheduler/info", "orch:read",
             [info](const sdk::Request& /*request*/, sdk::Response& response) {
               response.json(200, info);
             });
}

}  // namespace jobengine::scheduler
