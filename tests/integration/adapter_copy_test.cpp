// A renamed copy of the Concelier adapter loads beside the original (issue 15): the build copies
// plugins/sources-concelier to <build>/tests/integration/adapter_copy/sources-acme and builds it
// like any plugin (tests/integration/CMakeLists.txt), so the folder's name is the only thing
// that differs; its identity (id, routes, job types, source kinds, schema) derives from that
// name (plugins/sources-concelier/adapter_identity.cmake). Its migrations are the original's with
// the schema renamed, in a copy of the migrations tree the engine is pointed at
// (JE_ADAPTER_COPY_MIGRATIONS). The copy must start, answer its own routes, and ingest from the
// file:// mirror into its own schema, while the original keeps its routes and schema.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kMirror = fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds";

class AdapterCopyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    EngineOptions options;
    options.name = "adapter_copy";
    options.extra_toml = "[plugins.sources-acme]\n";
    options.args = {"--set",
                    std::string("host.migrations_dir=\"") + JE_ADAPTER_COPY_MIGRATIONS + "\""};
    engine_ = new EngineProcess(options);
    engine_->start();
    http_ = new HttpClient(engine_->restPort());
    token_ = engine_->mintToken("t1", "orch:read orch:operate");
    const std::string& dsn = engine_->databaseDsn();
    dbname_ = dsn.substr(dsn.find("dbname=") + 7);
  }
  static void TearDownTestSuite() {
    delete http_;
    http_ = nullptr;
    delete engine_;
    engine_ = nullptr;
  }

  static Reply call(const std::string& method, const std::string& path,
                    const std::string& body = "") {
    return http_->call(
        method, std::string(kApi) + path, body,
        {"Authorization: Bearer " + token_, "X-StellaOps-Tenant: t1",
         "X-StellaOps-Operator-Reason: adapter copy test", "Content-Type: application/json"});
  }
  static bool holds(const std::string& condition) {
    try {
      ThrowawayPostgres::instance().execAdmin(
          dbname_,
          "DO $$ BEGIN IF NOT (" + condition + ") THEN RAISE EXCEPTION 'no'; END IF; END $$");
      return true;
    } catch (const std::runtime_error&) {
      return false;
    }
  }

  static EngineProcess* engine_;
  static HttpClient* http_;
  static std::string token_;
  static std::string dbname_;
};
EngineProcess* AdapterCopyTest::engine_ = nullptr;
HttpClient* AdapterCopyTest::http_ = nullptr;
std::string AdapterCopyTest::token_;
std::string AdapterCopyTest::dbname_;

TEST_F(AdapterCopyTest, TheCopyStartsBesideTheOriginal) {
  const Reply plugins = call("GET", "/plugins");
  ASSERT_EQ(plugins.status, 200) << plugins.body;
  const json listed = plugins.json();
  std::map<std::string, std::string> states;
  for (const auto& p : listed["plugins"]) {
    states[p.value("id", "")] = p.value("state", "");
  }
  EXPECT_EQ(states["sources-acme"], "started");
  EXPECT_EQ(states["sources-concelier"], "started");
}

TEST_F(AdapterCopyTest, EachAnswersItsOwnInfoRoute) {
  const Reply acme = call("GET", "/acme/info");
  ASSERT_EQ(acme.status, 200) << acme.body;
  EXPECT_EQ(acme.json()["id"], "sources-acme");
  const Reply original = call("GET", "/concelier/info");
  ASSERT_EQ(original.status, 200) << original.body;
  EXPECT_EQ(original.json()["id"], "sources-concelier");
  // Each has its own schema, made by its own migrations.
  EXPECT_TRUE(holds("to_regclass('acme.observations') IS NOT NULL"));
  EXPECT_TRUE(holds("to_regclass('concelier.observations') IS NOT NULL"));
}

TEST_F(AdapterCopyTest, TheCopyIngestsIntoItsOwnSchemaWithItsOwnJobTypes) {
  const json body = {{"connectorId", "copy-osv"},
                     {"source", "osv"},
                     {"baseUri", "file://" + (kMirror / "osv" / "PyPI").string() + "/"}};
  const Reply created = call("POST", "/acme/connectors", body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json connector = created.json();
  EXPECT_EQ(connector["lockKey"], "acme:t1:copy-osv");
  const std::string source_id = connector["sourceId"].get<std::string>();
  EXPECT_EQ(call("GET", "/sources/" + source_id).json()["kind"], "acme.osv");

  const Reply started = call("POST", "/sources/" + source_id + "/sync", "{}");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string run_id = started.json()["runId"].get<std::string>();
  json run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    run = call("GET", "/runs/" + run_id).json();
    const std::string status = run.value("status", "");
    if (status == "succeeded" || status == "failed" || status == "canceled") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const json jobs = call("GET", "/jobs?runId=" + run_id).json()["items"];
  ASSERT_EQ(run["status"], "succeeded") << run.dump() << jobs.dump();
  std::set<std::string> types;
  for (const auto& job : jobs) {
    types.insert(job["type"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"acme.fetch", "acme.parse", "acme.map"}));
  const Reply listed = call("GET", "/acme/observations?connectorId=copy-osv");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["observations"].size(), 6U) << listed.body;
  EXPECT_TRUE(holds("(SELECT count(*) FROM acme.observations) = 6"));
  EXPECT_TRUE(
      holds("NOT EXISTS (SELECT 1 FROM concelier.observations WHERE connector_id = 'copy-osv')"));
  // The original does not see the copy's connector.
  EXPECT_EQ(call("GET", "/concelier/connectors/copy-osv").status, 404);
}

}  // namespace
}  // namespace jobengine::testing
