// jwt_fuzz.cpp — bearer and stream token parsing and checks (host/src/auth/jwt_codec.*,
// token_verifier.*, linked from je_host_core), as the request pipeline and the stream listener
// run them on the Authorization header or `?access_token=`.
//
// The input is the token text. Most fuzzed tokens fail the signature, which is checked before
// any claim, so the target also re-signs the input's own header and payload with the verifier's
// HS256 key (and with the stream key) and verifies that: the claim checks (iss, aud, exp, nbf,
// typ, sub, tenant, scopes) then see every header and payload the fuzzer makes.
// Contract: verify() returns a Principal or an AuthError with a code and a message; nothing
// throws, crashes or trips a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "api/encoding.hpp"
#include "auth/jwt_codec.hpp"
#include "auth/token_verifier.hpp"
#include "fuzz_target.hpp"

namespace {

using jobengine::fuzz::fuzzCheck;
namespace host = jobengine::host;

constexpr std::string_view kSecret = "fuzz-hs256-secret-with-enough-length";
constexpr std::string_view kStreamSecret = "fuzz-stream-secret";
constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z, so seeds stay valid

host::TokenVerifier makeVerifier() {
  host::AuthConfig config;
  config.mode = "dev";
  config.hs256_secret = std::string(kSecret);
  config.stream_token_secret = std::string(kStreamSecret);
  auto verifier = host::TokenVerifier::fromConfig(config, [] { return kNow; });
  fuzzCheck(static_cast<bool>(verifier), "the verifier does not build");
  return std::move(verifier).value();
}

template <typename R>
void checkOutcome(const R& result) {
  if (result) {
    const auto& principal = result.value();
    fuzzCheck(!principal.subject.empty(), "a principal without a subject");
  } else {
    fuzzCheck(!result.error().code.empty() && !result.error().message.empty(),
              "an auth refusal without code or message");
  }
}

// The token with its signature replaced by a valid HS256 MAC under key, when it has two dots.
std::string resigned(std::string_view token, std::string_view key) {
  const auto second = token.rfind('.');
  if (second == std::string_view::npos || token.find('.') == second) {
    return std::string(token);
  }
  const std::string_view input = token.substr(0, second);
  return std::string(input) + "." + host::base64urlEncode(host::hmacSha256(key, input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const host::TokenVerifier verifier = makeVerifier();
  static const std::string stream_key = host::TokenVerifier::deriveStreamKey(kStreamSecret);

  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const auto decoded = host::decodeJwt(token);
  if (decoded) {
    fuzzCheck(decoded.value().header.is_object() && decoded.value().payload.is_object(),
              "a decoded JWT whose header or payload is not an object");
  }
  checkOutcome(verifier.verify(token));
  checkOutcome(verifier.verifyStreamToken(token));
  checkOutcome(verifier.verify(resigned(token, kSecret)));
  checkOutcome(verifier.verifyStreamToken(resigned(token, stream_key)));
  return 0;
}
