// Dev-mode HS256 access tokens for tests, signed with OpenSSL HMAC and the secret that
// EngineProcess writes into every test config. It lets tests authenticate without spawning
// `jobengine token mint` (and before that command existed); the claims match what the engine
// verifies: iss, aud, sub, exp, stellaops:tenant and scope.
#pragma once

#include <string>

namespace jobengine::testing {

inline constexpr const char* kDevHs256Secret = "integration-test-secret-0123456789abcdef";

// scopes: space separated ("orch:read orch:operate"); an empty tenant omits the claim.
std::string devToken(const std::string& tenant, const std::string& scopes, int ttl_seconds = 3600,
                     const std::string& subject = "test-user",
                     const std::string& secret = kDevHs256Secret);

}  // namespace jobengine::testing
