// Deeply nested JSON against the real engine (issue 20): a 720 KB body of 120,000 nested
// objects used to overflow a worker thread's stack and kill the process. Every route that takes
// a body (found in the live OpenAPI document, so a new route is covered without editing this
// file) must answer 400 with the depth limit in the message, and the engine must stay up.
// Also: http.json_max_depth is honoured in both directions, and the SDK's ceiling still guards
// a body that does not say it is JSON.
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

constexpr const char* kTenant = "tenant-deep";
constexpr const char* kSomeUuid = "01900000-0000-7000-8000-000000000001";

std::string nestedObjects(int levels, const std::string& leaf = "1") {
  std::string out;
  out.reserve(static_cast<size_t>(levels) * 6 + leaf.size() + 2);
  for (int i = 0; i < levels; ++i) {
    out += "{\"a\":";
  }
  out += leaf;
  out.append(static_cast<size_t>(levels), '}');
  return out;
}

// The attack from the issue: a job whose payload nests `levels` objects deep.
std::string deepEnqueueBody(int levels) {
  return "{\"type\":\"x.y\",\"payload\":" + nestedObjects(levels) + "}";
}

class HostileJsonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EngineOptions options;
    options.name = "hostile-json";
    engine_ = std::make_unique<EngineProcess>(options);
    engine_->start();
    token_ = engine_->mintToken(kTenant, "orch:read orch:operate orch:quota orch:backfill");
  }
  static void TearDownTestSuite() { engine_.reset(); }

  static std::vector<std::string> headers(const std::string& content_type = "application/json") {
    return {"Authorization: Bearer " + token_, std::string("X-StellaOps-Tenant: ") + kTenant,
            "X-StellaOps-Operator-Reason: hostile json test", "X-StellaOps-Operator-Ticket: T-1",
            "Content-Type: " + content_type};
  }

  static std::unique_ptr<EngineProcess> engine_;
  static std::string token_;
};

std::unique_ptr<EngineProcess> HostileJsonTest::engine_;
std::string HostileJsonTest::token_;

TEST_F(HostileJsonTest, EveryRouteWithABodyRefusesTheNestedPayloadAndTheEngineStaysUp) {
  HttpClient http(engine_->restPort());
  const Reply doc = http.get("/openapi/jobengine.json");
  ASSERT_EQ(doc.status, 200) << doc.body;
  const nlohmann::json openapi = doc.json();
  ASSERT_TRUE(openapi.contains("paths"));

  const std::string body = deepEnqueueBody(120000);
  ASSERT_GT(body.size(), 700000U);
  const std::regex param(R"(\{[^}]+\})");
  int routes_with_body = 0;
  for (const auto& [path, item] : openapi["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method != "post" && method != "put" && method != "patch") {
        continue;
      }
      ++routes_with_body;
      const std::string concrete = std::regex_replace(path, param, kSomeUuid);
      std::string upper = method;
      for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      const Reply r = http.call(upper, concrete, body, headers());
      SCOPED_TRACE(upper + " " + concrete);
      ASSERT_EQ(r.status, 400) << r.body;
      const auto err = r.json();
      ASSERT_TRUE(err.is_object()) << r.body;
      EXPECT_EQ(err["error"]["code"], "MALFORMED_REQUEST") << r.body;
      EXPECT_NE(err["error"]["message"].get<std::string>().find("64"), std::string::npos)
          << "the message names the limit: " << r.body;
      EXPECT_EQ(err["error"]["details"]["limit"], 64) << r.body;
      ASSERT_TRUE(engine_->running()) << "the engine died on " << upper << " " << concrete;
    }
  }
  // The host's and the scheduler's routes at least (enqueue, batch, runs, worker bridge ...).
  EXPECT_GE(routes_with_body, 15);
  EXPECT_EQ(http.get("/readyz").status, 200);
  EXPECT_TRUE(engine_->running());
}

TEST_F(HostileJsonTest, ADeepBodyThatDoesNotSayItIsJsonIsStillRefused) {
  HttpClient http(engine_->restPort());
  const Reply r =
      http.call("POST", "/api/v1/jobengine/jobs", deepEnqueueBody(120000), headers("text/plain"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "MALFORMED_REQUEST") << r.body;
  EXPECT_TRUE(engine_->running());
  EXPECT_EQ(http.get("/readyz").status, 200);
}

TEST_F(HostileJsonTest, APayloadWithinTheLimitIsAcceptedAndReadBackWhole) {
  HttpClient http(engine_->restPort());
  // 60 levels of payload + 1 for the body object: within the default 64.
  const Reply created = http.call("POST", "/api/v1/jobengine/jobs", deepEnqueueBody(60), headers());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"].get<std::string>();
  const Reply read = http.get("/api/v1/jobengine/jobs/" + id, headers());
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["payload"], nlohmann::json::parse(nestedObjects(60))) << read.body;

  // 64 levels of payload + 1: one too deep, refused with the limit and where it was crossed.
  const Reply refused = http.call("POST", "/api/v1/jobengine/jobs", deepEnqueueBody(64), headers());
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json()["error"]["details"]["limit"], 64);
  // `{"type":"x.y","payload":` is 24 bytes; each level adds 5 (`{"a":`).
  EXPECT_EQ(refused.json()["error"]["details"]["offset"], 24 + 63 * 5);
}

TEST(HostileJsonConfigTest, TheOperatorsDepthLimitIsHonoured) {
  EngineOptions options;
  options.name = "hostile-json-config";
  options.args = {"--set", "http.json_max_depth=16"};
  EngineProcess engine(options);
  engine.start();
  const std::string token = engine.mintToken(kTenant, "orch:read orch:operate");
  const std::vector<std::string> h = {
      "Authorization: Bearer " + token, std::string("X-StellaOps-Tenant: ") + kTenant,
      "X-StellaOps-Operator-Reason: depth limit test", "Content-Type: application/json"};
  HttpClient http(engine.restPort());
  const Reply ok = http.call("POST", "/api/v1/jobengine/jobs", deepEnqueueBody(15), h);
  EXPECT_EQ(ok.status, 201) << ok.body;
  const Reply refused = http.call("POST", "/api/v1/jobengine/jobs", deepEnqueueBody(16), h);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("http.json_max_depth"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(refused.json()["error"]["details"]["limit"], 16);
}

TEST(HostileJsonConfigTest, ADepthLimitOutsideItsBoundsStopsTheStart) {
  EngineOptions options;
  options.name = "hostile-json-bounds";
  EngineProcess engine(options);
  const CommandResult r = engine.run({"config", "check", "--set", "http.json_max_depth=4"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("json_max_depth"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace jobengine::testing
