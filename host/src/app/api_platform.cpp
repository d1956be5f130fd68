// See api_platform.hpp.
#include "app/api_platform.hpp"

#include <stdexcept>

#include "app/api_interceptor.hpp"
#include "app/api_routes.hpp"
#include "http/http_server.hpp"

namespace jobengine::host {

std::unique_ptr<ApiPlatform> installApiPlatform(const HostConfig& config, Store& store,
                                                RouteTable& routes, HttpServer& http) {
  auto verifier = TokenVerifier::fromConfig(config.auth);
  if (!verifier) {
    throw std::runtime_error("auth: " + verifier.error());
  }
  auto platform = std::make_unique<ApiPlatform>(std::move(verifier.value()));
  if (auto error = registerApiRoutes(routes)) {
    throw std::runtime_error(*error);
  }
  http.setInterceptor(std::make_unique<ApiInterceptor>(platform->verifier, store,
                                                       config.http.idempotency_retention_hours));
  return platform;
}

}  // namespace jobengine::host
