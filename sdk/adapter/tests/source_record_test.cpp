// Unit tests of source_record.hpp over a made-up kind ("acme" things keyed by thingId): defaults
// from the kind, refusals naming the field with the kind's words, immutability on replace,
// options through the kind's check, and the scheduler source a record stands for.
#include <gtest/gtest.h>

#include "jobengine/adapter/source_record.hpp"

namespace jobengine::adapter {
namespace {

using nlohmann::json;

RecordKind thingKind() {
  RecordKind kind;
  kind.plugin_name = "acme";
  kind.id_field = "thingId";
  kind.noun = "thing";
  kind.noun_plural = "things";
  kind.sources = {"alpha", "beta"};
  kind.id_example = "alpha-1";
  kind.base_uri_hint = "e.g. \"https://acme.example/feed/\"";
  kind.default_capabilities = [](const std::string& source) {
    return json::array({source + "-data"});
  };
  kind.default_artifact_kinds = [](const std::string& source) {
    return json::array({source + "-json"});
  };
  return kind;
}

json minimal() {
  return {{"thingId", "alpha-1"}, {"source", "alpha"}, {"baseUri", "https://acme.example/a/"}};
}

TEST(SourceRecordTest, FillsTheDefaultsOfTheKind) {
  const RecordInput input = parseRecordCreate(thingKind(), minimal());
  ASSERT_FALSE(input.error) << input.error->message;
  EXPECT_EQ(input.record["thingId"], "alpha-1");
  EXPECT_EQ(input.record["capabilities"], json::array({"alpha-data"}));
  EXPECT_EQ(input.record["artifactKinds"], json::array({"alpha-json"}));
  EXPECT_EQ(input.record["egressGuard"],
            json({{"allowlist", json::array()}, {"airgapMode", false}}));
  EXPECT_TRUE(input.record["authRef"].is_null());
  EXPECT_TRUE(input.record["schedule"].is_null());
  EXPECT_EQ(input.record["options"], json::object());
  EXPECT_EQ(input.record["enabled"], true);
}

TEST(SourceRecordTest, RefusalsUseTheKindsWords) {
  const RecordKind kind = thingKind();
  json body = minimal();
  body["source"] = "gamma";
  EXPECT_EQ(parseRecordCreate(kind, body).error->message, "source: must be one of alpha, beta");
  body = minimal();
  body["thingId"] = "-x";
  EXPECT_EQ(parseRecordCreate(kind, body).error->message,
            "thingId: must be 1-63 characters of a-z 0-9 - starting with a letter or digit, e.g. "
            "\"alpha-1\"");
  body = minimal();
  body["baseUri"] = "ftp://h/";
  EXPECT_EQ(parseRecordCreate(kind, body).error->message,
            "baseUri: required: an https://, http:// or file:/// URI without credentials, e.g. "
            "\"https://acme.example/feed/\"");
  body = minimal();
  body["mirror"] = true;
  const RecordInput unknown = parseRecordCreate(kind, body);
  EXPECT_EQ(unknown.error->code, "UNKNOWN_FIELD");
  EXPECT_EQ(unknown.error->message,
            "mirror: unknown field (allowed: thingId, source, baseUri, capabilities, authRef, "
            "schedule, ratePolicy, artifactKinds, egressGuard, options, enabled)");
  EXPECT_EQ(parseRecordCreate(kind, json::array()).error->status, 400);
  EXPECT_EQ(parseRecordCreate(kind, {{"source", "alpha"}}).error->field, "thingId");
}

TEST(SourceRecordTest, OptionsGoThroughTheKindsCheck) {
  RecordKind kind = thingKind();
  json body = minimal();
  body["options"] = {{"depth", 2}};
  const RecordInput none = parseRecordCreate(kind, body);
  ASSERT_TRUE(none.error);
  EXPECT_EQ(none.error->message, "options.depth: unknown option for source 'alpha' (none allowed)");
  EXPECT_EQ(none.error->field, "options.depth");
  kind.check_options = [](const json& options,
                          const std::string& /*source*/) -> std::optional<RecordInputError> {
    if (options.contains("depth") && !options["depth"].is_number_integer()) {
      return invalidField("options.depth", "must be an integer");
    }
    return std::nullopt;
  };
  EXPECT_FALSE(parseRecordCreate(kind, body).error);
  body["options"] = {{"depth", "deep"}};
  EXPECT_EQ(parseRecordCreate(kind, body).error->message, "options.depth: must be an integer");
}

TEST(SourceRecordTest, ReplaceKeepsIdAndSource) {
  const RecordKind kind = thingKind();
  const json current = parseRecordCreate(kind, minimal()).record;
  json body = minimal();
  body["source"] = "beta";
  const RecordInput changed = parseRecordReplace(kind, body, current);
  ASSERT_TRUE(changed.error);
  EXPECT_EQ(changed.error->code, "IMMUTABLE_FIELD");
  EXPECT_EQ(changed.error->message,
            "source: cannot change (was \"alpha\"); register a new thing instead");
  const RecordInput same =
      parseRecordReplace(kind, {{"baseUri", "file:///mirror/a/"}, {"enabled", false}}, current);
  ASSERT_FALSE(same.error) << same.error->message;
  EXPECT_EQ(same.record["thingId"], "alpha-1");
  EXPECT_EQ(same.record["enabled"], false);
}

TEST(SourceRecordTest, IsASchedulerSourceOfItsKind) {
  const RecordKind kind = thingKind();
  const json source = schedulerSourceFor(kind, "t1", parseRecordCreate(kind, minimal()).record);
  EXPECT_EQ(source["name"], "acme:alpha-1");
  EXPECT_EQ(source["kind"], "acme.alpha");
  EXPECT_EQ(source["lockKey"], "acme:t1:alpha-1");
  EXPECT_EQ(source["upstreamHost"], "acme.example");
  EXPECT_EQ(source["config"], json({{"thingId", "alpha-1"}}));
  EXPECT_EQ(recordLockKey(kind, "t2", "x"), "acme:t2:x");
  EXPECT_EQ(sourceKindOf(kind, "beta"), "acme.beta");
}

}  // namespace
}  // namespace jobengine::adapter
