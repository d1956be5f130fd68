// Offline verification of bearer JWTs (SPEC §5) and of the stream listener's stream tokens.
//
// Built once from AuthConfig: RS256/ES256 public keys from PEM files (the key type picks the
// algorithm), plus the HS256 secret only in dev mode. verify() checks, in order: structure,
// algorithm allow-list, signature (against every key of that algorithm), then iss, aud, exp and
// nbf with the configured clock skew, then tenant and scopes. Immutable after construction, so
// one instance is shared by all request threads without locking.
#pragma once

#include "api/result.hpp"
#include "auth/jwt_codec.hpp"
#include "auth/principal.hpp"
#include "config/host_config.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

class TokenVerifier {
 public:
  // Seconds since the epoch; injectable so tests can move time without sleeping.
  using Clock = std::function<int64_t()>;

  // Reads every key file; the error names the file and what is wrong with it. In production
  // mode at least one public key is required; in dev mode an HS256 secret suffices.
  static Result<TokenVerifier, std::string> fromConfig(const AuthConfig& config, Clock clock = {});

  // Verifies an access token (the Authorization: Bearer value, without "Bearer ").
  Result<Principal, AuthError> verify(std::string_view token) const;

  // Verifies a stream token (the `?access_token=` value on the stream listener): HS256 with the
  // key derived from stream_token_secret, `typ: stream`, audience "<audience>:stream".
  Result<Principal, AuthError> verifyStreamToken(std::string_view token) const;

  // The HS256 key for stream tokens, derived from a configured secret (shared by TokenMinter).
  static std::string deriveStreamKey(std::string_view secret);
  static std::string streamAudience(const AuthConfig& config) {
    return config.audience + ":stream";
  }

 private:
  struct Key {
    JwtAlg alg;
    std::string material;  // PEM text or HMAC secret
    std::string origin;    // file path, or "auth.hs256_secret"
  };

  TokenVerifier() = default;
  Result<Principal, AuthError> verifyWith(std::string_view token, const std::vector<Key>& keys,
                                          bool allow_hs256, std::string_view audience,
                                          TokenKind kind) const;
  int64_t now() const;

  AuthConfig config_;
  std::vector<Key> keys_;         // access-token keys
  std::vector<Key> stream_keys_;  // the derived stream-token key, when configured
  Clock clock_;
};

}  // namespace jobengine::host
