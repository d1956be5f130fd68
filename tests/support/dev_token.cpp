// See dev_token.hpp.
#include "dev_token.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace jobengine::testing {
namespace {

std::string base64Url(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  const auto byte = [&in](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(in[k]));
  };
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
    out += kAlphabet[v & 63U];
  }
  if (i + 1 == in.size()) {
    const unsigned v = byte(i) << 16U;
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
  } else if (i + 2 == in.size()) {
    const unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
  }
  return out;
}

}  // namespace

std::string devToken(const std::string& tenant, const std::string& scopes, int ttl_seconds,
                     const std::string& subject, const std::string& secret) {
  const auto now = static_cast<int64_t>(std::time(nullptr));
  nlohmann::json claims = {{"iss", "jobengine-dev"},   {"aud", "jobengine"},
                           {"sub", subject},           {"iat", now},
                           {"exp", now + ttl_seconds}, {"scope", scopes}};
  if (!tenant.empty()) {
    claims["stellaops:tenant"] = tenant;
  }
  const std::string signing_input =
      base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64Url(claims.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return signing_input + "." + base64Url(std::string(reinterpret_cast<const char*>(mac), mac_len));
}

}  // namespace jobengine::testing
