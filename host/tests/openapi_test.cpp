// OpenApiBuilder: every route appears with a unique operationId, declared path parameters and
// the shared components; the document passes a real OpenAPI 3.0 validator
// (tools/openapi-validate, needs `npm ci` there once), and a broken document fails it.
#include "api/openapi_builder.hpp"

#include <jobengine/abi.h>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace jobengine::host {
namespace {

const std::string kValidatorDir = std::string(JE_SOURCE_DIR) + "/tools/openapi-validate";

RouteEntry route(std::string owner, std::string method, std::string pattern, std::string scope,
                 uint32_t flags = 0, std::string fragment = "") {
  RouteEntry r;
  r.owner = std::move(owner);
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.scope = std::move(scope);
  r.flags = flags;
  r.openapi_json = std::move(fragment);
  return r;
}

std::vector<RouteEntry> sampleRoutes() {
  const std::string base = "/api/v1/jobengine";
  return {
      route("host", "GET", "/healthz", "", JE_ROUTE_PUBLIC),
      route("host", "GET", "/openapi/jobengine.json", "", JE_ROUTE_PUBLIC),
      route("scheduler", "GET", base + "/jobs", "orch:read", 0,
            R"({"summary":"List jobs","x-paginated":true,
                "responses":{"200":{"description":"A page of jobs"}}})"),
      route("scheduler", "POST", base + "/jobs", "orch:operate", JE_ROUTE_TXN),
      route("scheduler", "GET", base + "/jobs/:id", "orch:read"),
      route("scheduler", "POST", base + "/jobs/:id/cancel", "orch:operate", JE_ROUTE_TXN,
            R"({"operationId":"cancelJob"})"),
      route("scheduler", "PATCH", base + "/sources/:id", "orch:operate"),
      route("scheduler", "POST", base + "/backfills", "orch:backfill"),
      route("ratelimit", "PUT", base + "/quotas/:id", "orch:quota", 0,
            R"({"operationId":"cancelJob"})"),  // clashes: gets a derived id instead
      route("audit", "GET", base + "/audit/exports/:id/bundle", "orch:read", 0, "not json"),
      route("ratelimit", "POST", base + "/circuit-breakers/:key/reset", "orch:operate"),
  };
}

int runValidator(const nlohmann::json& doc, const std::string& name, std::string* output) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << doc.dump(2);
  const std::string cmd = "node '" + kValidatorDir + "/validate.mjs' '" + path + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    return -1;
  }
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    output->append(buf);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream probe(kValidatorDir +
                        "/node_modules/@seriousme/openapi-schema-validator/"
                        "package.json");
    ASSERT_TRUE(probe.good()) << "run `npm ci` in " << kValidatorDir
                              << " first (scripts/setup does it)";
  }
};

TEST_F(OpenApiTest, EveryRouteAppearsWithItsConventions) {
  const auto routes = sampleRoutes();
  const auto doc = OpenApiBuilder().build(routes);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> ids;
  for (const auto& r : routes) {
    const auto path = OpenApiBuilder::toOpenApiPath(r.pattern);
    std::string m = r.method;
    for (auto& c : m) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    ASSERT_TRUE(doc["paths"][path].contains(m)) << r.method << " " << path;
    const auto& op = doc["paths"][path][m];
    EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << op["operationId"];
    EXPECT_EQ(op["tags"][0], r.owner);
    if ((r.flags & JE_ROUTE_PUBLIC) == 0U) {
      EXPECT_EQ(op["x-required-scope"], r.scope);
      EXPECT_FALSE(op["security"].empty());
    } else {
      EXPECT_TRUE(op["security"].empty());
    }
  }
  const auto& cancel = doc["paths"]["/api/v1/jobengine/jobs/{id}/cancel"]["post"];
  EXPECT_EQ(cancel["operationId"], "cancelJob");
  const auto params = cancel["parameters"].dump();
  EXPECT_NE(params.find("\"in\":\"path\""), std::string::npos);
  EXPECT_NE(params.find("IdempotencyKey"), std::string::npos);
  EXPECT_NE(params.find("OperatorReason"), std::string::npos);
  EXPECT_EQ(doc["paths"]["/api/v1/jobengine/quotas/{id}"]["put"]["operationId"],
            "ratelimit_putQuotasId");
  EXPECT_TRUE(doc["paths"]["/api/v1/jobengine/quotas/{id}"]["put"]["responses"].contains("412"));
  const auto list = doc["paths"]["/api/v1/jobengine/jobs"]["get"];
  EXPECT_EQ(list["summary"], "List jobs");
  EXPECT_NE(list["parameters"].dump().find("PageToken"), std::string::npos);
  EXPECT_TRUE(doc["paths"]["/api/v1/jobengine/audit/exports/{id}/bundle"]["get"].contains(
      "x-fragment-error"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("ErrorEnvelope"));
  EXPECT_EQ(doc["components"]["securitySchemes"]["bearerAuth"]["bearerFormat"], "JWT");
}

TEST_F(OpenApiTest, DocumentPassesARealValidator) {
  std::string out;
  EXPECT_EQ(runValidator(OpenApiBuilder().build(sampleRoutes()), "openapi_ok.json", &out), 0)
      << out;
}

TEST_F(OpenApiTest, EmptyRouteListIsStillValid) {
  std::string out;
  EXPECT_EQ(runValidator(OpenApiBuilder().build({}), "openapi_empty.json", &out), 0) << out;
}

TEST_F(OpenApiTest, BrokenDocumentsFailTheValidator) {
  auto doc = OpenApiBuilder().build(sampleRoutes());
  auto no_info = doc;
  no_info.erase("info");
  std::string out;
  EXPECT_EQ(runValidator(no_info, "openapi_bad1.json", &out), 1) << out;
  auto undeclared = doc;
  undeclared["paths"]["/api/v1/jobengine/jobs/{id}"]["get"]["parameters"] = nlohmann::json::array();
  out.clear();
  EXPECT_EQ(runValidator(undeclared, "openapi_bad2.json", &out), 1) << out;
  EXPECT_NE(out.find("{id}"), std::string::npos) << out;
  auto dangling = doc;
  dangling["components"]["schemas"].erase("ErrorEnvelope");
  out.clear();
  EXPECT_EQ(runValidator(dangling, "openapi_bad3.json", &out), 1) << out;
}

}  // namespace
}  // namespace jobengine::host
