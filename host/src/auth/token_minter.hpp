// Issues tokens: dev-mode access tokens (`jobengine token mint`) and stream tokens.
//
// TokenMinter exists only in dev mode: it signs HS256 access tokens with auth.hs256_secret so a
// developer can call the API without an identity provider. StreamTokenIssuer signs the
// short-lived stream tokens handed out by POST /api/v1/jobengine/stream/tokens with the key
// derived from auth.stream_token_secret, so any replica's stream listener accepts them. Both
// are immutable after construction and safe to share across threads.
#pragma once

#include "api/result.hpp"
#include "auth/principal.hpp"
#include "config/host_config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace jobengine::host {

struct MintRequest {
  std::string tenant;  // required; "system" is refused
  std::string subject = "dev-user";
  std::vector<std::string> scopes;  // e.g. {"orch:read", "orch:operate"}
  int64_t ttl_seconds = 3600;
};

class TokenMinter {
 public:
  // Fails unless auth.mode == "dev" and auth.hs256_secret is set; the message says which.
  static Result<TokenMinter, std::string> fromConfig(const AuthConfig& config);
  // A signed HS256 access token; errors name the bad field (tenant, ttl).
  Result<std::string, std::string> mint(const MintRequest& request) const;

 private:
  TokenMinter() = default;
  AuthConfig config_;
};

struct StreamToken {
  std::string token;
  int64_t expires_at = 0;  // seconds since the epoch
};

class StreamTokenIssuer {
 public:
  // Fails when auth.stream_token_secret is empty (the engine fills it before constructing).
  static Result<StreamTokenIssuer, std::string> fromConfig(const AuthConfig& config);
  // A stream token carrying the caller's subject and scopes bound to `tenant` (the request's
  // resolved tenant). ttl_seconds <= 0 uses auth.stream_token_ttl_seconds.
  Result<StreamToken, std::string> issue(const Principal& caller, const std::string& tenant,
                                         int64_t ttl_seconds = 0) const;

 private:
  StreamTokenIssuer() = default;
  AuthConfig config_;
  std::string key_;
};

}  // namespace jobengine::host
