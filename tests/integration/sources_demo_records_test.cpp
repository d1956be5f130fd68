// The demo records of `make run` (issue 15) on the real engine: with demo_feed_mirror set, each
// adapter plugin registers one record per format in the demo tenant at start (the adapter kit's
// registerDemoRecords), reading the bundled input mirror through file:// and syncing every
// minute, and says so once in the log.
#include <gtest/gtest.h>

#include <filesystem>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kMirror = fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds";

std::string demoConfig() {
  std::string toml;
  for (const char* plugin : {"sources-concelier", "sources-excititor"}) {
    toml += std::string("[plugins.") + plugin + "]\ndemo_feed_mirror = \"" + kMirror.string() +
            "\"\ndemo_tenant = \"demo\"\n";
  }
  return toml;
}

json listed(OpsEngine& ops, const std::string& path, const std::string& key) {
  const Reply r = ops.http().get("/api/v1/jobengine" + path, ops.headers("demo"));
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json()[key];
}

TEST(SourcesDemoRecordsTest, EachAdapterRegistersOneRecordPerFormatInTheDemoTenant) {
  OpsEngine ops("sources_demo", demoConfig());
  const json connectors = listed(ops, "/concelier/connectors", "connectors");
  ASSERT_EQ(connectors.size(), 3U) << connectors.dump();
  EXPECT_EQ(connectors[0]["connectorId"], "demo-kev");
  EXPECT_EQ(connectors[1]["connectorId"], "demo-nvd");
  EXPECT_EQ(connectors[2]["connectorId"], "demo-osv");
  EXPECT_EQ(connectors[2]["baseUri"], "file://" + kMirror.string() + "/osv/PyPI/");
  EXPECT_EQ(connectors[2]["schedule"]["cron"], "* * * * *");
  EXPECT_EQ(connectors[2]["lockKey"], "concelier:demo:demo-osv");
  const json providers = listed(ops, "/excititor/providers", "providers");
  ASSERT_EQ(providers.size(), 3U) << providers.dump();
  EXPECT_EQ(providers[0]["providerId"], "demo-csaf");
  EXPECT_EQ(providers[0]["baseUri"], "file://" + kMirror.string() + "/csaf/");
  EXPECT_EQ(providers[1]["providerId"], "demo-cyclonedx");
  EXPECT_EQ(providers[2]["providerId"], "demo-openvex");
  const std::string log = ops.engine().output();
  EXPECT_NE(log.find("registered 3 demo connectors (demo-osv, demo-nvd, demo-kev) of tenant "
                     "'demo'"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("registered 3 demo providers (demo-openvex, demo-csaf, demo-cyclonedx) of "
                     "tenant 'demo'"),
            std::string::npos)
      << log;
  // Another tenant sees none of them.
  const Reply other = ops.http().get("/api/v1/jobengine/concelier/connectors", ops.headers("t1"));
  EXPECT_EQ(other.json()["connectors"].size(), 0U) << other.body;
}

}  // namespace
}  // namespace jobengine::testing
