// Compact-JWS encoding and signature checks (HS256, RS256, ES256) on top of cpp-jwt.
//
// cpp-jwt's own decode() checks claims before the signature, rejects `typ` values other than
// "JWT" and requires a string `aud`; we only borrow its signing primitives and do parsing and
// claim checks ourselves (token_verifier.cpp) so messages stay precise and the signature is
// always checked first. This is the only translation unit that includes <jwt/jwt.hpp>.
#pragma once

#include "api/result.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::host {

enum class JwtAlg { kHs256, kRs256, kEs256 };

std::string_view jwtAlgName(JwtAlg alg);
std::optional<JwtAlg> jwtAlgFromName(std::string_view name);

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // "<b64 header>.<b64 payload>"
  std::string signature_b64;  // third segment as sent
};

// Splits and decodes a compact JWS; the error says which part is malformed. No verification.
Result<DecodedJwt, std::string> decodeJwt(std::string_view token);

// Signs `payload` with `alg`: `key` is the HMAC secret for HS256, a private key PEM otherwise.
Result<std::string, std::string> encodeJwt(JwtAlg alg, std::string_view key,
                                           const nlohmann::json& payload,
                                           std::string_view kid = {});

// True when the signature of `jwt` verifies with `key` (HMAC secret or public key PEM).
bool verifyJwtSignature(JwtAlg alg, std::string_view key, const DecodedJwt& jwt);

}  // namespace jobengine::host
