// je.sources as another plugin sees it: the ABI fixture `good`, loaded next to the real
// scheduler, advances and reads a source's watermark through the service inside its request's
// transaction (POST /good/watermark). Forward only, the same watermark REST shows, and bound to
// the transaction's tenant. (Adapters use the service's other calls: the sources-* ingest tests.)
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SourcesServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugins_ = fs::temp_directory_path() / ("je-sources-service-" + std::to_string(::getpid()));
    fs::remove_all(plugins_);
    fs::create_directories(plugins_);
    const std::string built = std::string(JE_BINARY_DIR);
    fs::create_symlink(built + "/plugins/scheduler.so", plugins_ / "scheduler.so");
    fs::create_symlink(built + "/fixtures/good.so", plugins_ / "good.so");
    EngineOptions options;
    options.name = "sources_service";
    options.plugin_dir = plugins_.string();
    options.args = {"--set", "host.plugin_order=[\"scheduler\",\"good\"]"};
    engine_ = std::make_unique<EngineProcess>(options);
    engine_->start();
  }
  static void TearDownTestSuite() {
    engine_.reset();
    fs::remove_all(plugins_);
  }

  Reply call(const std::string& method, const std::string& path, const json& body,
             const std::string& tenant = "t1") const {
    HttpClient http(engine_->restPort());
    const std::vector<std::string> headers = {
        "Authorization: Bearer " + engine_->mintToken(tenant, "orch:read orch:operate"),
        "X-StellaOps-Tenant: " + tenant, "X-StellaOps-Operator-Reason: integration test"};
    if (method == "GET") {
      return http.get("/api/v1/jobengine" + path, headers);
    }
    return http.post("/api/v1/jobengine" + path, body, headers);
  }

  static inline fs::path plugins_;
  static inline std::unique_ptr<EngineProcess> engine_;
};

TEST_F(SourcesServiceTest, APluginAdvancesAndReadsAWatermarkForwardOnly) {
  const Reply source = call("POST", "/sources", {{"name", "svc:watermarked"}, {"kind", "svc"}});
  ASSERT_EQ(source.status, 201) << source.body;
  const std::string id = source.json()["id"].get<std::string>();

  Reply r = call("POST", "/good/watermark", {{"sourceId", id}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json()["watermark"].is_null()) << r.body;

  r = call("POST", "/good/watermark", {{"sourceId", id}, {"watermark", "2026-03-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["watermark"], "2026-03-01T00:00:00.000Z") << r.body;
  const Reply listed = call("GET", "/sources/" + id + "/watermarks", json());
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("2026-03-01T00:00:00.000Z"), std::string::npos) << listed.body;

  r = call("POST", "/good/watermark", {{"sourceId", id}, {"watermark", "2026-02-01T00:00:00Z"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("WATERMARK_BACKWARDS"), std::string::npos) << r.body;
  r = call("POST", "/good/watermark", {{"sourceId", id}});
  EXPECT_EQ(r.json()["watermark"], "2026-03-01T00:00:00.000Z") << r.body;

  // Row-level security: another tenant's transaction does not see the source at all.
  r = call("POST", "/good/watermark", {{"sourceId", id}, {"watermark", "2026-04-01T00:00:00Z"}},
           "t2");
  EXPECT_EQ(r.status, 404) << r.body;
  r = call("POST", "/good/watermark", {{"sourceId", id}});
  EXPECT_EQ(r.json()["watermark"], "2026-03-01T00:00:00.000Z") << r.body;
}

}  // namespace
}  // namespace jobengine::testing
