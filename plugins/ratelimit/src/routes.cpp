// Route glue of the ratelimit plugin: its identity and effective config, and the operator routes
// of routes_quotas.cpp, routes_throttles.cpp and routes_breakers.cpp. Every route is described
// in openapi/ (embedded at build time; docs/api.md, "Schemas").
#include "routes.hpp"

#include <memory>
#include <utility>

#include "api_doc_files.hpp"
#include "routes_breakers.hpp"
#include "routes_quotas.hpp"
#include "routes_throttles.hpp"

namespace jobengine::ratelimit {

void registerRoutes(sdk::Host& host, const nlohmann::json& info, JobsAccessor jobs,
                    const BreakerConfig& breaker) {
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  constexpr const char* kInfoPath = "/api/v1/jobengine/ratelimit/info";
  host.route(
      "GET", kInfoPath, "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", kInfoPath));
  RouteContext ctx;
  ctx.host = &host;
  ctx.ids = std::make_shared<sdk::UuidV7Generator>();
  ctx.jobs = std::move(jobs);
  ctx.breaker = breaker;
  registerQuotaRoutes(host, doc, ctx);
  registerThrottleRoutes(host, doc, ctx);
  registerBreakerRoutes(host, doc, ctx);
  doc.requireAllUsed();
}

}  // namespace jobengine::ratelimit
