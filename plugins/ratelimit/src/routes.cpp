// Route glue of the ratelimit plugin. For now one route: its identity and effective config.
#include "routes.hpp"

namespace jobengine::ratelimit {

void registerRoutes(sdk::Host& host, const nlohmann::json& info) {
  host.route("GET", "/api/v1/jobengine/ratelimit/info", "orch:read",
             [info](const sdk::Request& /*request*/, sdk::Response& response) {
               response.json(200, info);
             });
}

}  // namespace jobengine::ratelimit
