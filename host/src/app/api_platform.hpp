// Installs the API platform on the REST server (SPEC §5): the token verifier, the
// ApiInterceptor (auth, tenancy, scopes, operator headers, idempotency) and the host's
// API routes (events listing, OpenAPI). The engine calls installApiPlatform() once, after the
// plugins were created (so every route exists) and before the server starts.
#pragma once

#include <memory>

#include "auth/token_verifier.hpp"
#include "config/host_config.hpp"

namespace jobengine::host {

class HttpServer;
class RouteTable;
class Store;

// Owned by the engine; must outlive the HttpServer it was installed on.
struct ApiPlatform {
  explicit ApiPlatform(TokenVerifier v) : verifier(std::move(v)) {}
  TokenVerifier verifier;
};

// Throws std::runtime_error naming the problem (bad key file, duplicate route).
std::unique_ptr<ApiPlatform> installApiPlatform(const HostConfig& config, Store& store,
                                                RouteTable& routes, HttpServer& http);

}  // namespace jobengine::host
