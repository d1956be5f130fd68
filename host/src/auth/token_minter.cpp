// TokenMinter and StreamTokenIssuer implementations (see token_minter.hpp).
#include "auth/token_minter.hpp"

#include "api/encoding.hpp"
#include "auth/jwt_codec.hpp"
#include "auth/token_verifier.hpp"

#include <chrono>

namespace jobengine::host {
namespace {

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string joinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    out += out.empty() ? s : " " + s;
  }
  return out;
}

}  // namespace

Result<TokenMinter, std::string> TokenMinter::fromConfig(const AuthConfig& config) {
  if (config.mode != "dev") {
    return fail("token mint is available only when auth.mode = \"dev\" (it is \"" + config.mode +
                "\")");
  }
  if (config.hs256_secret.empty()) {
    return fail(std::string("token mint needs auth.hs256_secret"));
  }
  TokenMinter m;
  m.config_ = config;
  return m;
}

Result<std::string, std::string> TokenMinter::mint(const MintRequest& request) const {
  if (request.tenant.empty()) {
    return fail(std::string("--tenant is required"));
  }
  if (request.tenant == kReservedTenant) {
    return fail(std::string("--tenant: 'system' is reserved for the host"));
  }
  if (request.ttl_seconds <= 0 || request.ttl_seconds > 30LL * 24 * 3600) {
    return fail(std::string("--ttl must be between 1 and 2592000 seconds"));
  }
  const int64_t now = nowSeconds();
  const nlohmann::json payload = {{"iss", config_.issuer},
                                  {"aud", config_.audience},
                                  {"sub", request.subject},
                                  {"stellaops:tenant", request.tenant},
                                  {"scope", joinScopes(request.scopes)},
                                  {"iat", now},
                                  {"nbf", now},
                                  {"exp", now + request.ttl_seconds},
                                  {"jti", hexEncode(randomBytes(12))}};
  return encodeJwt(JwtAlg::kHs256, config_.hs256_secret, payload);
}

Result<StreamTokenIssuer, std::string> StreamTokenIssuer::fromConfig(const AuthConfig& config) {
  if (config.stream_token_secret.empty()) {
    return fail(std::string("auth.stream_token_secret is empty"));
  }
  StreamTokenIssuer s;
  s.config_ = config;
  s.key_ = TokenVerifier::deriveStreamKey(config.stream_token_secret);
  return s;
}

Result<StreamToken, std::string> StreamTokenIssuer::issue(const Principal& caller,
                                                          const std::string& tenant,
                                                          int64_t ttl_seconds) const {
  if (tenant.empty() || tenant == kReservedTenant) {
    return fail(std::string("stream tokens need a non-reserved tenant"));
  }
  const int64_t ttl = ttl_seconds > 0 ? ttl_seconds : config_.stream_token_ttl_seconds;
  const int64_t now = nowSeconds();
  const nlohmann::json payload = {{"iss", config_.issuer},
                                  {"aud", TokenVerifier::streamAudience(config_)},
                                  {"sub", caller.subject},
                                  {"stellaops:tenant", tenant},
                                  {"scope", joinScopes(caller.scopes)},
                                  {"typ", "stream"},
                                  {"iat", now},
                                  {"exp", now + ttl}};
  auto token = encodeJwt(JwtAlg::kHs256, key_, payload);
  if (!token) {
    return fail(token.error());
  }
  return StreamToken{std::move(token).value(), now + ttl};
}

}  // namespace jobengine::host
