// Unit tests of core/sync_dag: the declaration a source adapter sends with je.sources
// declare_sync, its refusals (each naming the field), the sinks, and the registry's owner rule.
#include "core/sync_dag.hpp"

#include <gtest/gtest.h>

namespace jobengine::scheduler {
namespace {

using nlohmann::json;

const json kFetchParseMap = {
    {"kind", "concelier.osv"},
    {"steps",
     {{{"key", "fetch"}, {"jobType", "concelier.fetch"}},
      {{"key", "parse"}, {"jobType", "concelier.parse"}, {"dependsOn", {"fetch"}}},
      {{"key", "map"}, {"jobType", "concelier.map"}, {"dependsOn", {"parse"}}}}}};

TEST(SyncDagTest, AChainParsesInOrderWithOneSink) {
  const SyncDagParse parsed = parseSyncDag(kFetchParseMap);
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  EXPECT_EQ(parsed.dag.kind, "concelier.osv");
  ASSERT_EQ(parsed.dag.steps.size(), 3U);
  EXPECT_EQ(parsed.dag.steps[2].job_type, "concelier.map");
  EXPECT_EQ(parsed.dag.steps[2].depends_on, std::vector<std::string>{"parse"});
  EXPECT_EQ(sinkKeys(parsed.dag), std::vector<std::string>{"map"});
}

TEST(SyncDagTest, AFanOutHasEverySinkInStepOrder) {
  const json body = {{"kind", "k"},
                     {"steps",
                      {{{"key", "a"}, {"jobType", "t.a"}},
                       {{"key", "b"}, {"jobType", "t.b"}, {"dependsOn", {"a"}}},
                       {{"key", "c"}, {"jobType", "t.c"}, {"dependsOn", {"a"}}}}}};
  const SyncDagParse parsed = parseSyncDag(body);
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  EXPECT_EQ(sinkKeys(parsed.dag), (std::vector<std::string>{"b", "c"}));
}

TEST(SyncDagTest, RefusalsNameTheField) {
  const auto error = [](json body) { return parseSyncDag(body).error; };
  EXPECT_NE(error(json::array()).find("JSON object"), std::string::npos);
  EXPECT_NE(error({{"steps", kFetchParseMap["steps"]}}).find("kind:"), std::string::npos);
  EXPECT_NE(error({{"kind", "Bad Kind"}, {"steps", kFetchParseMap["steps"]}}).find("kind:"),
            std::string::npos);
  EXPECT_NE(error({{"kind", "k"}, {"steps", json::array()}}).find("steps:"), std::string::npos);
  json unknown = kFetchParseMap;
  unknown["extra"] = 1;
  EXPECT_NE(error(unknown).find("extra: unknown field"), std::string::npos);
  json twice = kFetchParseMap;
  twice["steps"][1]["key"] = "fetch";
  EXPECT_NE(error(twice).find("steps[1].key: 'fetch' is used twice"), std::string::npos);
  json forward = kFetchParseMap;
  forward["steps"][0]["dependsOn"] = {"map"};
  EXPECT_NE(error(forward).find("steps[0].dependsOn: \"map\" is not the key of an earlier step"),
            std::string::npos);
  json no_type = kFetchParseMap;
  no_type["steps"][1].erase("jobType");
  EXPECT_NE(error(no_type).find("steps[1].jobType: required"), std::string::npos);
}

TEST(SyncDagTest, AKindIsDeclaredOnceNamingItsOwner) {
  SyncDagRegistry registry;
  EXPECT_EQ(registry.declare("sources-concelier", parseSyncDag(kFetchParseMap).dag), "");
  const std::string refused = registry.declare("other", parseSyncDag(kFetchParseMap).dag);
  EXPECT_NE(refused.find("already declared by plugin 'sources-concelier'"), std::string::npos)
      << refused;
  ASSERT_TRUE(registry.find("concelier.osv").has_value());
  EXPECT_FALSE(registry.find("concelier.nvd").has_value());
}

}  // namespace
}  // namespace jobengine::scheduler
