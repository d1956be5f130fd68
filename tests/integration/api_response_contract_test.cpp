// The response checker itself (tests/support/response_contract.hpp): every reply HttpClient
// receives is checked against the engine's live OpenAPI document, so a handler that drifts from
// its description fails whatever test talks to it. Proven here on two jobs-fixture routes that
// answer against their description on purpose (fixtures/openapi/jobs-fixture/): one answers
// {"ok": "yes"} where {"ok": boolean} is described, one answers 418, a status it does not list.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <memory>

#include "engine_process.hpp"
#include "http_client.hpp"
#include "response_contract.hpp"

namespace jobengine::testing {
namespace {

constexpr const char* kWrongBody = "/api/v1/jobengine/jobs-fixture/contract/wrong-body";
constexpr const char* kTeapot = "/api/v1/jobengine/jobs-fixture/contract/teapot";

class ApiResponseContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EngineOptions options;
    options.name = "apicontract";
    options.extra_toml = "[plugins.jobs-fixture]\n";
    engine_ = std::make_unique<EngineProcess>(options);
    engine_->start();
    token_ = engine_->mintToken("t1", "orch:read");
  }
  static void TearDownTestSuite() { engine_.reset(); }

  static std::vector<std::string> headers() {
    return {"Authorization: Bearer " + token_, "X-StellaOps-Tenant: t1"};
  }

  static std::unique_ptr<EngineProcess> engine_;
  static std::string token_;
};

std::unique_ptr<EngineProcess> ApiResponseContractTest::engine_;
std::string ApiResponseContractTest::token_;

TEST_F(ApiResponseContractTest, ABodyItsSchemaRejectsFailsTheTest) {
  ASSERT_TRUE(responseContractEnabled()) << "JE_TEST_RESPONSE_CONTRACT=0 turns the check off";
  HttpClient http(engine_->restPort());
  Reply reply;
  EXPECT_NONFATAL_FAILURE(reply = http.get(kWrongBody, headers()),
                          "answered 200 with a body its schema rejects at $.ok");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["ok"], "yes");
}

TEST_F(ApiResponseContractTest, AStatusItsDescriptionDoesNotListFailsTheTest) {
  HttpClient http(engine_->restPort());
  Reply reply;
  EXPECT_NONFATAL_FAILURE(reply = http.get(kTeapot, headers()),
                          "answered 418, a status its description does not list");
  EXPECT_EQ(reply.status, 418) << reply.body;
}

TEST_F(ApiResponseContractTest, TheViolationNamesTheOperationTheStatusAndThePath) {
  HttpClient http(engine_->restPort());
  const Reply doc_reply = http.get("/openapi/jobengine.json");
  ASSERT_EQ(doc_reply.status, 200);
  const nlohmann::json doc = doc_reply.json();
  Reply reply;
  reply.status = 200;
  reply.headers["content-type"] = "application/json";
  reply.body = R"({"ok": "yes"})";
  const auto wrong = responseContractViolation(doc, "GET", kWrongBody, reply);
  ASSERT_TRUE(wrong.has_value());
  EXPECT_NE(wrong->find(std::string("GET ") + kWrongBody), std::string::npos) << *wrong;
  EXPECT_NE(wrong->find("(jobs_fixture_getJobsFixtureContractWrongBody)"), std::string::npos)
      << *wrong;  // the operationId
  EXPECT_NE(wrong->find("answered 200"), std::string::npos) << *wrong;
  EXPECT_NE(wrong->find("at $.ok:"), std::string::npos) << *wrong;

  reply.body = R"({"ok": true})";
  EXPECT_EQ(responseContractViolation(doc, "GET", kWrongBody, reply), std::nullopt);
  reply.body = R"({"ok": true, "extra": 1})";
  const auto extra = responseContractViolation(doc, "GET", kWrongBody, reply);
  ASSERT_TRUE(extra.has_value());
  EXPECT_NE(extra->find("at $"), std::string::npos) << *extra;

  reply.status = 418;
  reply.body = R"({"ok": false})";
  const auto teapot = responseContractViolation(doc, "GET", kTeapot, reply);
  ASSERT_TRUE(teapot.has_value());
  EXPECT_NE(teapot->find(std::string("GET ") + kTeapot), std::string::npos) << *teapot;
  EXPECT_NE(teapot->find("answered 418"), std::string::npos) << *teapot;

  // Paths the document does not describe are outside the contract.
  reply.status = 404;
  EXPECT_EQ(responseContractViolation(doc, "GET", "/api/v1/jobengine/nowhere", reply),
            std::nullopt);
}

// The checker turns "format": "date", "time" and "date-time" into patterns (valijson builds a
// regex per checked string for a format, once per validator for a pattern): they accept and
// refuse what valijson's format check does, day-of-month limits included, wherever the format
// sits in the schema.
TEST(ResponseContractFormatTest, DateAndTimeFormatsAcceptWhatValijsonsFormatCheckDoes) {
  const nlohmann::json doc = {
      {"openapi", "3.0.3"},
      {"paths", nlohmann::json::object()},
      {"components", {{"schemas", {{"When", {{"type", "string"}, {"format", "date-time"}}}}}}}};
  const auto accepts = [&](const std::string& format, const std::string& value) {
    return schemaViolation(doc, {{"type", "string"}, {"format", format}}, value) == std::nullopt;
  };
  for (const char* ok : {"2026-12-07T16:52:45Z", "2026-12-07t16:52:45z", "2026-02-29T23:59:60Z",
                         "2026-04-30T00:00:00.123456+02:00", "12026-01-31T00:00:00-11:30"}) {
    EXPECT_TRUE(accepts("date-time", ok)) << ok;
  }
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-31T00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-07T24:00:00Z",
                          "2026-12-07 16:52:45Z", "2026-12-07T16:52:45", "2026-12-07",
                          "x2026-12-07T16:52:45Z", "2026-12-07T16:52:45Zx", ""}) {
    EXPECT_FALSE(accepts("date-time", bad)) << bad;
  }
  for (const char* ok : {"2026-12-31", "2026-09-30", "2024-02-29"}) {
    EXPECT_TRUE(accepts("date", ok)) << ok;
  }
  for (const char* bad : {"2026-09-31", "2026-02-30", "2026-1-01", "2026-12-07T00:00:00Z"}) {
    EXPECT_FALSE(accepts("date", bad)) << bad;
  }
  for (const char* ok : {"16:52:45Z", "16:52:45.5+02:00", "23:59:60z"}) {
    EXPECT_TRUE(accepts("time", ok)) << ok;
  }
  for (const char* bad : {"24:00:00Z", "16:52Z", "16:52:45"}) {
    EXPECT_FALSE(accepts("time", bad)) << bad;
  }
  // Any other format is left to valijson, which checks none of them.
  EXPECT_TRUE(accepts("uuid", "not a uuid"));
  // Inside a $ref'd component, an array's items and a property's schema.
  const nlohmann::json list = {
      {"type", "object"},
      {"properties",
       {{"times", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/When"}}}}},
        {"at", {{"type", "string"}, {"format", "date-time"}, {"pattern", "Z$"}}}}}};
  EXPECT_EQ(schemaViolation(doc, list, {{"times", {"2026-12-07T16:52:45Z"}}}), std::nullopt);
  EXPECT_NE(
      schemaViolation(doc, list, {{"times", {"2026-12-07T16:52:45Z", "2026-02-30T00:00:00Z"}}}),
      std::nullopt);
  // Next to a pattern of its own, both apply.
  EXPECT_EQ(schemaViolation(doc, list, {{"at", "2026-12-07T16:52:45Z"}}), std::nullopt);
  EXPECT_NE(schemaViolation(doc, list, {{"at", "2026-12-07T16:52:45+01:00"}}), std::nullopt);
  EXPECT_NE(schemaViolation(doc, list, {{"at", "2026-02-30T16:52:45Z"}}), std::nullopt);
}

}  // namespace
}  // namespace jobengine::testing
