// TokenVerifier implementation: key loading from PEM files and the ordered checks described
// in token_verifier.hpp. Every refusal names the failing check.
#include "auth/token_verifier.hpp"

#include "api/encoding.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

namespace jobengine::host {
namespace {

AuthError unauthenticated(std::string message) {
  return AuthError{"UNAUTHENTICATED", std::move(message)};
}

std::string isoTime(int64_t epoch_seconds) {
  const auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

// The JWS algorithm a PEM public key is for, or an error naming the problem.
Result<JwtAlg, std::string> keyAlgorithm(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) {
    return fail(std::string("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)"));
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key.get()) < 2048) {
      return fail(std::string("RSA key shorter than 2048 bits"));
    }
    return JwtAlg::kRs256;
  }
  if (type == EVP_PKEY_EC) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key.get(), group.data(), group.size(), &len) != 1 ||
        std::string_view(group.data(), len) != "prime256v1") {
      return fail(std::string("EC key is not on P-256 (ES256 needs prime256v1)"));
    }
    return JwtAlg::kEs256;
  }
  return fail(std::string("unsupported key type (allowed: RSA for RS256, EC P-256 for ES256)"));
}

// Scopes from `scope` (space separated) or `scp` (array of strings, or a string).
std::vector<std::string> readScopes(const nlohmann::json& payload) {
  std::vector<std::string> out;
  auto split = [&out](const std::string& text) {
    std::istringstream in(text);
    std::string word;
    while (in >> word) {
      out.push_back(word);
    }
  };
  if (const auto it = payload.find("scope"); it != payload.end() && it->is_string()) {
    split(it->get<std::string>());
  } else if (const auto scp = payload.find("scp"); scp != payload.end()) {
    if (scp->is_array()) {
      for (const auto& s : *scp) {
        if (s.is_string()) {
          out.push_back(s.get<std::string>());
        }
      }
    } else if (scp->is_string()) {
      split(scp->get<std::string>());
    }
  }
  return out;
}

// Beyond any real date (about 142 million years): clamping to it keeps both the conversion of a
// huge claim and `exp + skew` defined.
constexpr int64_t kMaxEpochSeconds = int64_t{1} << 52;

// A NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly fractional) as whole
// seconds, clamped to ±kMaxEpochSeconds. A double such as 1e96 converted to int64_t directly is
// undefined behaviour (found by fuzz/jwt_fuzz). `value` must be a number.
int64_t numericDate(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    return static_cast<int64_t>(
        std::min(value.get<uint64_t>(), static_cast<uint64_t>(kMaxEpochSeconds)));
  }
  if (value.is_number_integer()) {
    return std::clamp(value.get<int64_t>(), -kMaxEpochSeconds, kMaxEpochSeconds);
  }
  constexpr auto kMax = static_cast<double>(kMaxEpochSeconds);
  return static_cast<int64_t>(std::clamp(value.get<double>(), -kMax, kMax));
}

std::string stringClaim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

Result<TokenVerifier, std::string> TokenVerifier::fromConfig(const AuthConfig& config,
                                                             Clock clock) {
  TokenVerifier v;
  v.config_ = config;
  v.clock_ = std::move(clock);
  const bool dev = config.mode == "dev";
  if (!dev && config.mode != "production") {
    return fail("auth.mode: '" + config.mode + "' is not one of dev, production");
  }
  for (const auto& path : config.public_key_files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return fail("auth.public_key_files: cannot read " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    auto alg = keyAlgorithm(text.str());
    if (!alg) {
      return fail("auth.public_key_files: " + path + ": " + alg.error());
    }
    v.keys_.push_back(Key{alg.value(), text.str(), path});
  }
  if (dev && !config.hs256_secret.empty()) {
    v.keys_.push_back(Key{JwtAlg::kHs256, config.hs256_secret, "auth.hs256_secret"});
  }
  if (!dev && !config.hs256_secret.empty()) {
    return fail(
        std::string("auth.hs256_secret is set but auth.mode is production (HS256 is dev only)"));
  }
  if (v.keys_.empty()) {
    return fail(std::string(dev ? "auth: no keys (set auth.hs256_secret or auth.public_key_files)"
                                : "auth.public_key_files: production mode needs at least one "
                                  "RS256/ES256 public key"));
  }
  if (!config.stream_token_secret.empty()) {
    v.stream_keys_.push_back(Key{JwtAlg::kHs256, deriveStreamKey(config.stream_token_secret),
                                 "auth.stream_token_secret"});
  }
  return v;
}

std::string TokenVerifier::deriveStreamKey(std::string_view secret) {
  return hmacSha256(secret, "jobengine stream token v1");
}

int64_t TokenVerifier::now() const {
  if (clock_) {
    return clock_();
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Principal, AuthError> TokenVerifier::verify(std::string_view token) const {
  return verifyWith(token, keys_, config_.mode == "dev", config_.audience, TokenKind::kAccess);
}

Result<Principal, AuthError> TokenVerifier::verifyStreamToken(std::string_view token) const {
  if (stream_keys_.empty()) {
    return fail(unauthenticated("stream tokens are not configured (auth.stream_token_secret)"));
  }
  return verifyWith(token, stream_keys_, true, streamAudience(config_), TokenKind::kStream);
}

Result<Principal, AuthError> TokenVerifier::verifyWith(std::string_view token,
                                                       const std::vector<Key>& keys,
                                                       bool allow_hs256, std::string_view audience,
                                                       TokenKind kind) const {
  auto decoded = decodeJwt(token);
  if (!decoded) {
    return fail(unauthenticated(decoded.error()));
  }
  const auto& jwt = decoded.value();
  const std::string alg_name = stringClaim(jwt.header, "alg");
  const auto alg = jwtAlgFromName(alg_name);
  if (!alg) {
    return fail(unauthenticated("algorithm " +
                                (alg_name.empty() ? std::string("(none)") : alg_name) +
                                " not allowed (allowed: RS256, ES256, HS256 in dev mode)"));
  }
  if (*alg == JwtAlg::kHs256 && !allow_hs256) {
    return fail(unauthenticated("algorithm HS256 not allowed outside dev mode"));
  }
  bool have_key = false;
  bool verified = false;
  for (const auto& key : keys) {
    if (key.alg == *alg) {
      have_key = true;
      if (verifyJwtSignature(*alg, key.material, jwt)) {
        verified = true;
        break;
      }
    }
  }
  if (!have_key) {
    return fail(unauthenticated("no " + alg_name + " key configured"));
  }
  if (!verified) {
    return fail(unauthenticated("signature invalid"));
  }

  const auto& p = jwt.payload;
  const std::string iss = stringClaim(p, "iss");
  if (!config_.issuer.empty() && iss != config_.issuer) {
    return fail(unauthenticated(iss.empty() ? "token has no iss claim"
                                            : "issuer mismatch: token has '" + iss +
                                                  "', expected '" + config_.issuer + "'"));
  }
  bool aud_ok = false;
  if (const auto aud = p.find("aud"); aud != p.end()) {
    if (aud->is_string()) {
      aud_ok = aud->get<std::string>() == audience;
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        aud_ok = aud_ok || (a.is_string() && a.get<std::string>() == audience);
      }
    }
  }
  if (!aud_ok) {
    return fail(unauthenticated("audience mismatch: expected '" + std::string(audience) + "'"));
  }
  const int64_t t = now();
  const int64_t skew = config_.clock_skew_seconds;
  const auto exp = p.find("exp");
  if (exp == p.end() || !exp->is_number()) {
    return fail(unauthenticated("token has no numeric exp claim"));
  }
  const int64_t exp_s = numericDate(*exp);
  if (t > exp_s + skew) {
    return fail(unauthenticated("token expired at " + isoTime(exp_s) + " (clock skew " +
                                std::to_string(skew) + " s)"));
  }
  if (const auto nbf = p.find("nbf"); nbf != p.end()) {
    if (!nbf->is_number()) {
      return fail(unauthenticated("nbf claim is not a number"));
    }
    const int64_t nbf_s = numericDate(*nbf);
    if (t + skew < nbf_s) {
      return fail(unauthenticated("token not valid before " + isoTime(nbf_s)));
    }
  }
  const std::string typ = stringClaim(p, "typ");
  if (kind == TokenKind::kStream && typ != "stream") {
    return fail(unauthenticated("not a stream token (typ must be 'stream')"));
  }
  if (kind == TokenKind::kAccess && typ == "stream") {
    return fail(unauthenticated("stream tokens are accepted only by the stream listener"));
  }

  Principal out;
  out.kind = kind;
  out.expires_at = exp_s;
  out.subject = stringClaim(p, "sub");
  if (out.subject.empty()) {
    return fail(unauthenticated("token has no sub claim"));
  }
  out.tenant = stringClaim(p, "stellaops:tenant");
  if (out.tenant.empty()) {
    out.tenant = stringClaim(p, "tid");
  }
  if (out.tenant == kReservedTenant) {
    return fail(AuthError{"TENANT_RESERVED", "tenant 'system' is reserved for the host"});
  }
  out.scopes = readScopes(p);
  return out;
}

}  // namespace jobengine::host
