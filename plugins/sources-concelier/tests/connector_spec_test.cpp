// Unit tests of the connector record (core/connector_spec.hpp): Concelier's defaults per feed,
// the NVD option resultsPerPage, and the scheduler source a connector stands for. The common
// record rules are the adapter kit's (sdk/adapter/tests/source_record_test.cpp).
#include "core/connector_spec.hpp"

#include <gtest/gtest.h>

#include "plugin_identity.hpp"

namespace jobengine::concelier {
namespace {

using nlohmann::json;

json minimal(const std::string& source) {
  return {{"connectorId", "demo-" + source},
          {"source", source},
          {"baseUri", "https://feeds.example.com/" + source + "/"}};
}

TEST(ConnectorSpecTest, DefaultsFollowTheFeed) {
  EXPECT_EQ(parseConnectorCreate(minimal("osv")).record["artifactKinds"],
            json::array({"osv-json"}));
  EXPECT_EQ(parseConnectorCreate(minimal("nvd")).record["artifactKinds"],
            json::array({"nvd-cve-page"}));
  const json kev = parseConnectorCreate(minimal("kev")).record;
  EXPECT_EQ(kev["artifactKinds"], json::array({"kev-catalog"}));
  EXPECT_EQ(kev["capabilities"], json::array({"exploited"}));
  EXPECT_EQ(parseConnectorCreate(minimal("osv")).record["capabilities"],
            json::array({"advisories"}));
}

TEST(ConnectorSpecTest, OnlyNvdTakesResultsPerPage) {
  json nvd = minimal("nvd");
  nvd["options"] = {{"resultsPerPage", 500}};
  EXPECT_FALSE(parseConnectorCreate(nvd).error);
  nvd["options"] = {{"resultsPerPage", 2001}};
  EXPECT_EQ(parseConnectorCreate(nvd).error->message,
            "options.resultsPerPage: must be an integer from 1 to 2000");
  nvd["options"] = {{"pageSize", 1}};
  EXPECT_EQ(parseConnectorCreate(nvd).error->message,
            "options.pageSize: unknown option for source 'nvd' (allowed: resultsPerPage)");
  json osv = minimal("osv");
  osv["options"] = {{"resultsPerPage", 500}};
  const ConnectorInput refused = parseConnectorCreate(osv);
  EXPECT_EQ(refused.error->code, "UNKNOWN_FIELD");
  EXPECT_EQ(refused.error->message,
            "options.resultsPerPage: unknown option for source 'osv' (none allowed)");
}

TEST(ConnectorSpecTest, RefusalsNameConcelierWords) {
  json body = minimal("osv");
  body["source"] = "csaf";
  EXPECT_EQ(parseConnectorCreate(body).error->message, "source: must be one of osv, nvd, kev");
  const json current = parseConnectorCreate(minimal("osv")).record;
  body = minimal("osv");
  body["connectorId"] = "other";
  EXPECT_EQ(parseConnectorReplace(body, current).error->message,
            "connectorId: cannot change (was \"demo-osv\"); register a new connector instead");
}

TEST(ConnectorSpecTest, IsASchedulerSourceOfThePlugin) {
  const json source = schedulerSourceFor("t1", parseConnectorCreate(minimal("kev")).record);
  const std::string name = kPluginName;
  EXPECT_EQ(source["name"], name + ":demo-kev");
  EXPECT_EQ(source["kind"], name + ".kev");
  EXPECT_EQ(source["lockKey"], name + ":t1:demo-kev");
  EXPECT_EQ(source["config"], json({{"connectorId", "demo-kev"}}));
  EXPECT_EQ(connectorLockKey("t1", "x"), name + ":t1:x");
}

}  // namespace
}  // namespace jobengine::concelier
