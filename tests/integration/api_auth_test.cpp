// SPEC §5 request rules on the real binary over real HTTP: every 401/403/400 refusal is the
// error envelope with a traceId (the one from `traceparent` when sent), X-Request-Id is
// echoed, public routes need nothing, and a body over http.body_limit_bytes is 413.
#include <gtest/gtest.h>

#include "api_support.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

constexpr const char* kPing = "/api/v1/jobengine/good/ping";

class ApiAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new EngineProcess(goodFixtureEngine("apiauth"));
    engine_->start();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  // Expects the error envelope with `status` and `code`.
  static void expectError(const Reply& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto body = r.json();
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body["error"]["code"], code) << r.body;
    EXPECT_TRUE(body["error"]["message"].is_string()) << r.body;
    EXPECT_EQ(body["error"]["traceId"].get<std::string>().size(), 32u) << r.body;
  }
  static EngineProcess* engine_;
};

EngineProcess* ApiAuthTest::engine_ = nullptr;

TEST_F(ApiAuthTest, PublicRoutesNeedNoToken) {
  HttpClient http(engine_->restPort());
  EXPECT_EQ(http.get("/healthz").status, 200);
  EXPECT_EQ(http.get("/openapi/jobengine.json").status, 200);
  EXPECT_EQ(http.get("/.well-known/openapi").status, 200);
}

TEST_F(ApiAuthTest, ValidTokenAndTenantPass) {
  HttpClient http(engine_->restPort());
  const std::string token = engine_->mintToken("t1", "orch:read");
  const Reply r = http.get(kPing, authHeaders(token, "t1"));
  EXPECT_EQ(r.status, 200) << r.body;
  // The token's tenant is enough without the header.
  EXPECT_EQ(http.get(kPing, authHeaders(token, "")).status, 200);
}

TEST_F(ApiAuthTest, NoTokenIs401) {
  HttpClient http(engine_->restPort());
  expectError(http.get(kPing, {"X-StellaOps-Tenant: t1"}), 401, "UNAUTHENTICATED");
  expectError(http.get(kPing, {"Authorization: Basic abc", "X-StellaOps-Tenant: t1"}), 401,
              "UNAUTHENTICATED");
}

TEST_F(ApiAuthTest, BadSignatureExpiredAndWrongAudienceAre401) {
  HttpClient http(engine_->restPort());
  const std::string forged = craftToken(validClaims("t1", "orch:read"), "another-secret-xxxxxxxx");
  expectError(http.get(kPing, authHeaders(forged, "t1")), 401, "UNAUTHENTICATED");

  nlohmann::json expired = validClaims("t1", "orch:read");
  expired["iat"] = nowSeconds() - 7200;
  expired["exp"] = nowSeconds() - 3600;
  const Reply e = http.get(kPing, authHeaders(craftToken(expired), "t1"));
  expectError(e, 401, "UNAUTHENTICATED");
  EXPECT_NE(e.json()["error"]["message"].get<std::string>().find("expired"), std::string::npos)
      << e.body;

  nlohmann::json audience = validClaims("t1", "orch:read");
  audience["aud"] = "someone-else";
  const Reply a = http.get(kPing, authHeaders(craftToken(audience), "t1"));
  expectError(a, 401, "UNAUTHENTICATED");
  EXPECT_NE(a.json()["error"]["message"].get<std::string>().find("audience"), std::string::npos)
      << a.body;

  // The crafted token with the right secret is accepted: the cases above fail for their reason.
  EXPECT_EQ(http.get(kPing, authHeaders(craftToken(validClaims("t1", "orch:read")), "t1")).status,
            200);
}

TEST_F(ApiAuthTest, TenantMismatchAndMissingAre403) {
  HttpClient http(engine_->restPort());
  const std::string token = engine_->mintToken("t1", "orch:read");
  expectError(http.get(kPing, authHeaders(token, "t2")), 403, "TENANT_MISMATCH");
  expectError(http.get(kPing, {"Authorization: Bearer " + token, "X-Stella-Tenant: t2"}), 403,
              "TENANT_MISMATCH");
  const std::string tenantless = craftToken(validClaims("", "orch:read"));
  expectError(http.get(kPing, authHeaders(tenantless, "")), 403, "TENANT_REQUIRED");
  // A token without a tenant takes the header's.
  EXPECT_EQ(http.get(kPing, authHeaders(tenantless, "t3")).status, 200);
}

TEST_F(ApiAuthTest, MissingScopeIs403WithRequiredScope) {
  HttpClient http(engine_->restPort());
  const std::string token = engine_->mintToken("t1", "orch:quota");
  const Reply r = http.get(kPing, authHeaders(token, "t1"));
  expectError(r, 403, "SCOPE_MISSING");
  EXPECT_EQ(r.json()["error"]["details"]["requiredScope"], "orch:read") << r.body;
}

TEST_F(ApiAuthTest, OperateActionsNeedAReasonOfBoundedLength) {
  HttpClient http(engine_->restPort());
  const std::string token = engine_->mintToken("t1", "orch:operate");
  expectError(http.post(kNotesPath, {{"text", "x"}}, authHeaders(token, "t1")), 400,
              "OPERATOR_REASON_REQUIRED");
  const std::string long_reason(257, 'r');
  expectError(http.post(kNotesPath, {{"text", "x"}},
                        authHeaders(token, "t1", {"X-StellaOps-Operator-Reason: " + long_reason})),
              400, "INVALID_HEADER");
  const std::string long_ticket(129, 't');
  expectError(http.post(kNotesPath, {{"text", "x"}},
                        authHeaders(token, "t1",
                                    {"X-StellaOps-Operator-Reason: ok",
                                     "X-StellaOps-Operator-Ticket: " + long_ticket})),
              400, "INVALID_HEADER");
  const Reply ok = http.post(kNotesPath, {{"text", "x"}},
                             authHeaders(token, "t1", {"X-StellaOps-Operator-Reason: testing"}));
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(ApiAuthTest, TraceparentIsTheTraceIdAndRequestIdIsEchoed) {
  HttpClient http(engine_->restPort());
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const Reply r = http.get(kPing, {"X-StellaOps-Tenant: t1", "X-Request-Id: my-request-1",
                                   "traceparent: 00-" + trace + "-00f067aa0ba902b7-01"});
  expectError(r, 401, "UNAUTHENTICATED");
  EXPECT_EQ(r.json()["error"]["traceId"], trace) << r.body;
  EXPECT_EQ(r.header("x-request-id"), "my-request-1");
}

TEST_F(ApiAuthTest, BodyOverTheLimitIs413) {
  HttpClient http(engine_->restPort());
  const std::string token = engine_->mintToken("t1", "orch:operate");
  const std::string big(1048576 + 10, 'a');
  const Reply r = http.call(
      "POST", kNotesPath, big,
      authHeaders(token, "t1",
                  {"X-StellaOps-Operator-Reason: big", "Content-Type: application/json"}));
  expectError(r, 413, "PAYLOAD_TOO_LARGE");
}

}  // namespace
}  // namespace jobengine::testing
