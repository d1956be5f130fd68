// Installs the API platform on the REST server (SPEC §5): the token verifier, the
// ApiInterceptor (auth, tenancy, scopes, operator headers, idempotency) and the host's
// API routes (events listing, OpenAPI). The engine calls installApiPlatform() once, after the
// plugins were created (so every route exists) and before the server starts.
#pragma once

#include <memory>

#include "api/pagination.hpp"
#include "auth/token_verifier.hpp"
#include "config/host_config.hpp"

namespace jobengine::host {

class HttpServer;
class RouteTable;
class Store;

// Owned by the engine; must outlive the HttpServer it was installed on.
struct ApiPlatform {
  explicit ApiPlatform(TokenVerifier v, PageTokenCodec c)
      : verifier(std::move(v)), page_codec(std::move(c)) {}
  TokenVerifier verifier;
  PageTokenCodec page_codec;
};

// The page token key: shared by replicas configured alike. From auth.stream_token_secret,
// else auth.hs256_secret, else issuer and audience (documented in docs/api.md).
std::string pageTokenSecret(const AuthConfig& auth);

// Throws std::runtime_error naming the problem (bad key file, duplicate route).
std::unique_ptr<ApiPlatform> installApiPlatform(const HostConfig& config, Store& store,
                                                RouteTable& routes, HttpServer& http);

}  // namespace jobengine::host
