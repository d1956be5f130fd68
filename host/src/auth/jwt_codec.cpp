// Compact-JWS parsing, signing and signature verification (see jwt_codec.hpp). Signing and
// RS/ES verification use cpp-jwt's algorithm primitives; HS256 verification recomputes the MAC
// and compares in constant time (cpp-jwt compares with ==).
#include "auth/jwt_codec.hpp"

#include <jobengine/json_limits.hpp>

#include "api/encoding.hpp"

#include <jwt/jwt.hpp>

namespace jobengine::host {

std::string_view jwtAlgName(JwtAlg alg) {
  switch (alg) {
    case JwtAlg::kHs256:
      return "HS256";
    case JwtAlg::kRs256:
      return "RS256";
    case JwtAlg::kEs256:
      return "ES256";
  }
  return "none";
}

std::optional<JwtAlg> jwtAlgFromName(std::string_view name) {
  if (name == "HS256") {
    return JwtAlg::kHs256;
  }
  if (name == "RS256") {
    return JwtAlg::kRs256;
  }
  if (name == "ES256") {
    return JwtAlg::kEs256;
  }
  return std::nullopt;
}

Result<DecodedJwt, std::string> decodeJwt(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail(std::string("token is not a compact JWS (expected three dot-separated parts)"));
  }
  DecodedJwt out;
  const auto header_raw = base64urlDecode(token.substr(0, first));
  const auto payload_raw = base64urlDecode(token.substr(first + 1, second - first - 1));
  if (!header_raw || !payload_raw) {
    return fail(std::string("token header or payload is not base64url"));
  }
  // Claims are flat; anything deeper than a handful of levels is not a token we issue or accept.
  constexpr int kMaxJwtDepth = 8;
  auto header = sdk::parseJsonBounded(*header_raw, "token header", kMaxJwtDepth);
  out.header = header.ok() ? std::move(header.value) : nlohmann::json();
  if (!header.ok() || !out.header.is_object()) {
    return fail(std::string("token header is not a JSON object"));
  }
  auto payload = sdk::parseJsonBounded(*payload_raw, "token payload", kMaxJwtDepth);
  out.payload = payload.ok() ? std::move(payload.value) : nlohmann::json();
  if (!payload.ok() || !out.payload.is_object()) {
    return fail(std::string("token payload is not a JSON object"));
  }
  out.signing_input = std::string(token.substr(0, second));
  out.signature_b64 = std::string(token.substr(second + 1));
  if (out.signature_b64.empty()) {
    return fail(std::string("token has no signature"));
  }
  return out;
}

Result<std::string, std::string> encodeJwt(JwtAlg alg, std::string_view key,
                                           const nlohmann::json& payload, std::string_view kid) {
  nlohmann::json header = {{"alg", std::string(jwtAlgName(alg))}, {"typ", "JWT"}};
  if (!kid.empty()) {
    header["kid"] = std::string(kid);
  }
  const std::string input = base64urlEncode(header.dump()) + "." + base64urlEncode(payload.dump());
  jwt::sign_result_t signed_result;
  try {
    switch (alg) {
      case JwtAlg::kHs256:
        signed_result = {hmacSha256(key, input), std::error_code{}};
        break;
      case JwtAlg::kRs256:
        signed_result = jwt::PEMSign<jwt::algo::RS256>::sign(key, input);
        break;
      case JwtAlg::kEs256:
        signed_result = jwt::PEMSign<jwt::algo::ES256>::sign(key, input);
        break;
    }
  } catch (const std::exception& e) {
    return fail(std::string("signing failed: ") + e.what());
  }
  if (signed_result.second) {
    return fail("signing failed: " + signed_result.second.message());
  }
  return input + "." + base64urlEncode(signed_result.first);
}

bool verifyJwtSignature(JwtAlg alg, std::string_view key, const DecodedJwt& token) {
  try {
    switch (alg) {
      case JwtAlg::kHs256: {
        const auto sig = base64urlDecode(token.signature_b64);
        return sig && constantTimeEquals(*sig, hmacSha256(key, token.signing_input));
      }
      case JwtAlg::kRs256: {
        const auto r =
            jwt::PEMSign<jwt::algo::RS256>::verify(key, token.signing_input, token.signature_b64);
        return !r.second && r.first;
      }
      case JwtAlg::kEs256: {
        const auto r =
            jwt::PEMSign<jwt::algo::ES256>::verify(key, token.signing_input, token.signature_b64);
        return !r.second && r.first;
      }
    }
  } catch (const std::exception&) {
    return false;
  }
  return false;
}

}  // namespace jobengine::host
