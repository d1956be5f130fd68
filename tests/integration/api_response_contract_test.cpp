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

}  // namespace
}  // namespace jobengine::testing
