// Shared by the api_*_test executables: an engine with the "good" fixture plugin (whose
// POST /api/v1/jobengine/good/notes appends an event in the request transaction), dev tokens
// crafted by hand (so tests can make expired, wrong-audience, tenant-less and badly signed
// ones), and direct SQL on the engine's database to count what really committed.
#pragma once

#include <openssl/hmac.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "engine_process.hpp"

namespace jobengine::testing {

// The secret EngineProcess writes into [auth].
inline const std::string kTestHs256Secret = "integration-test-secret-0123456789abcdef";
inline const std::string kNotesPath = "/api/v1/jobengine/good/notes";

inline EngineOptions goodFixtureEngine(const std::string& name,
                                       const std::string& extra_toml = "") {
  EngineOptions options;
  options.name = name;
  options.plugin_dir = std::string(JE_BINARY_DIR) + "/fixtures";
  options.args = {"--set", "host.plugin_order=[\"good\"]"};
  options.extra_toml = extra_toml;
  return options;
}

inline std::string base64Url(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

// An HS256 JWT over `claims` signed with `secret`.
inline std::string craftToken(const nlohmann::json& claims,
                              const std::string& secret = kTestHs256Secret) {
  const std::string signing_input =
      base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64Url(claims.dump());
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return signing_input + "." + base64Url(std::string(reinterpret_cast<char*>(mac), mac_len));
}

inline int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Claims of a valid dev token; tests change one field at a time.
inline nlohmann::json validClaims(const std::string& tenant, const std::string& scopes) {
  nlohmann::json c = {{"iss", "jobengine-dev"}, {"aud", "jobengine"},         {"sub", "tester"},
                      {"iat", nowSeconds()},    {"exp", nowSeconds() + 3600}, {"scope", scopes}};
  if (!tenant.empty()) {
    c["stellaops:tenant"] = tenant;
  }
  return c;
}

inline std::vector<std::string> authHeaders(const std::string& token, const std::string& tenant,
                                            std::vector<std::string> more = {}) {
  more.push_back("Authorization: Bearer " + token);
  if (!tenant.empty()) {
    more.push_back("X-StellaOps-Tenant: " + tenant);
  }
  return more;
}

// One value from the engine's database (as the owner role, so RLS does not hide rows).
inline long long scalar(const EngineProcess& engine, const std::string& sql) {
  pqxx::connection conn(engine.databaseDsn());
  pqxx::nontransaction tx(conn);
  tx.exec("SELECT set_config('jobengine.tenant', 'system', false)");
  return tx.exec1(sql)[0].as<long long>();
}

inline void execSql(const EngineProcess& engine, const std::string& sql) {
  pqxx::connection conn(engine.databaseDsn());
  pqxx::nontransaction tx(conn);
  tx.exec("SELECT set_config('jobengine.tenant', 'system', false)");
  tx.exec0(sql);
}

}  // namespace jobengine::testing
