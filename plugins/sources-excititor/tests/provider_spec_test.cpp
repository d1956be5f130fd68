// Unit tests of the provider record (core/provider_spec.hpp): defaults, refusals naming the
// field, immutability on replace and the scheduler source a provider stands for. The sync window
// is the adapter kit's (sdk/adapter/tests/sync_window_test.cpp).
#include "core/provider_spec.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

using nlohmann::json;

json minimal() {
  return {{"providerId", "acme-openvex"},
          {"source", "openvex"},
          {"baseUri", "https://vex.example.com/openvex/"}};
}

TEST(ProviderSpecTest, FillsTheDefaults) {
  const ProviderInput input = parseProviderCreate(minimal());
  ASSERT_FALSE(input.error) << input.error->message;
  EXPECT_EQ(input.record["capabilities"], json::array({"vex"}));
  EXPECT_EQ(input.record["artifactKinds"], json::array({"openvex-json"}));
  EXPECT_EQ(input.record["egressGuard"],
            json({{"allowlist", json::array()}, {"airgapMode", false}}));
  EXPECT_TRUE(input.record["authRef"].is_null());
  EXPECT_TRUE(input.record["ratePolicy"].is_null());
  EXPECT_EQ(input.record["options"], json::object());
  EXPECT_EQ(input.record["enabled"], true);
  json csaf = minimal();
  csaf["source"] = "csaf";
  EXPECT_EQ(parseProviderCreate(csaf).record["artifactKinds"], json::array({"csaf-json"}));
}

TEST(ProviderSpecTest, RefusalsNameTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"source", "openvex"}, {"baseUri", "file:///m/"}}, "providerId"},
      {{{"providerId", "-x"}, {"source", "openvex"}, {"baseUri", "file:///m/"}}, "providerId"},
      {{{"providerId", "x"}, {"source", "spdx"}, {"baseUri", "file:///m/"}}, "source"},
      {{{"providerId", "x"}, {"source", "csaf"}, {"baseUri", "ftp://h/"}}, "baseUri"},
      {{{"providerId", "x"}, {"source", "csaf"}, {"baseUri", "https://u:p@h/"}}, "baseUri"},
      {{{"providerId", "x"}, {"source", "csaf"}, {"baseUri", "file:///m/"}, {"authRef", "pw"}},
       "authRef"},
      {{{"providerId", "x"},
        {"source", "csaf"},
        {"baseUri", "file:///m/"},
        {"options", {{"a", 1}}}},
       "options.a"},
      {{{"providerId", "x"}, {"source", "csaf"}, {"baseUri", "file:///m/"}, {"mirror", true}},
       "mirror"},
  };
  for (const auto& [body, field] : cases) {
    SCOPED_TRACE(body.dump());
    const ProviderInput input = parseProviderCreate(body);
    ASSERT_TRUE(input.error);
    EXPECT_EQ(input.error->status, 422);
    EXPECT_EQ(input.error->field, field);
    EXPECT_EQ(input.error->message.rfind(field + ":", 0), 0U) << input.error->message;
  }
}

TEST(ProviderSpecTest, ReplaceKeepsIdAndSource) {
  const json current = parseProviderCreate(minimal()).record;
  json body = minimal();
  body["source"] = "csaf";
  const ProviderInput changed = parseProviderReplace(body, current);
  ASSERT_TRUE(changed.error);
  EXPECT_EQ(changed.error->code, "IMMUTABLE_FIELD");
  EXPECT_EQ(changed.error->field, "source");
  const ProviderInput same =
      parseProviderReplace({{"baseUri", "file:///mirror/openvex/"}, {"enabled", false}}, current);
  ASSERT_FALSE(same.error) << same.error->message;
  EXPECT_EQ(same.record["providerId"], "acme-openvex");
  EXPECT_EQ(same.record["source"], "openvex");
}

TEST(ProviderSpecTest, IsASchedulerSourceOfItsKind) {
  const json record = parseProviderCreate(minimal()).record;
  const json source = schedulerSourceFor("t1", record);
  EXPECT_EQ(source["name"], "excititor:acme-openvex");
  EXPECT_EQ(source["kind"], "excititor.openvex");
  EXPECT_EQ(source["lockKey"], "excititor:t1:acme-openvex");
  EXPECT_EQ(source["upstreamHost"], "vex.example.com");
  json local = minimal();
  local["baseUri"] = "file:///mirror/openvex/";
  EXPECT_TRUE(
      schedulerSourceFor("t1", parseProviderCreate(local).record)["upstreamHost"].is_null());
}

}  // namespace
}  // namespace jobengine::excititor
