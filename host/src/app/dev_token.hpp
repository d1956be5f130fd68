// Dev-mode access tokens for humans and tests: `jobengine token mint` and the `make run`
// banner. Only with auth.mode = "dev" (TokenMinter refuses otherwise, with one line).
#pragma once

#include <string>

#include "config/host_config.hpp"

namespace jobengine::host {

// Throws std::runtime_error with a one-line reason (production mode, no tenant, bad ttl).
std::string mintDevToken(const AuthConfig& auth, const std::string& tenant,
                         const std::string& scopes, const std::string& subject, int ttl_seconds);

}  // namespace jobengine::host
