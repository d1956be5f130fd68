// RequestBodyValidator and ApiComponents: a documented requestBody schema (with $refs into the
// components) accepts what it describes and names the first offending field by JSON path;
// component names have one owner.
#include "api/request_body_validator.hpp"
#include "api/api_components.hpp"
#include "http/route_table.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace jobengine::host {
namespace {

using nlohmann::json;

json components() {
  return json::parse(R"({"schemas": {
    "JobRequest": {"type": "object", "required": ["type"], "additionalProperties": false,
      "properties": {"type": {"type": "string", "minLength": 1},
                     "priority": {"type": "integer", "minimum": 0, "maximum": 9},
                     "payload": {"type": "object"},
                     "note": {"type": ["string", "null"]}}},
    "BatchRequest": {"type": "object", "required": ["jobs"],
      "properties": {"jobs": {"type": "array", "minItems": 1,
                              "items": {"$ref": "#/components/schemas/JobRequest"}}}}}})");
}

json operation(bool required = true) {
  return {
      {"requestBody",
       {{"required", required},
        {"content",
         {{"application/json", {{"schema", {{"$ref", "#/components/schemas/BatchRequest"}}}}}}}}}};
}

std::shared_ptr<const RequestBodyValidator> compiled(bool required = true) {
  auto v = RequestBodyValidator::compile(operation(required), components());
  EXPECT_NE(v, nullptr);
  return v;
}

TEST(RequestBodyValidatorTest, AcceptsWhatTheSchemaDescribes) {
  const auto v = compiled();
  EXPECT_FALSE(v->validate(json::parse(R"({"jobs": [{"type": "a"}, {"type": "b",
      "priority": 3, "payload": {"x": 1}, "note": null}]})")));
  EXPECT_TRUE(v->required());
  EXPECT_FALSE(compiled(false)->required());
}

TEST(RequestBodyValidatorTest, NamesTheFirstOffendingFieldByJsonPath) {
  const auto v = compiled();
  auto f = v->validate(json::parse(R"({"jobs": [{"type": "a"}, {"type": 7}]})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "$.jobs[1].type");
  EXPECT_EQ(f->message, "$.jobs[1].type: has the wrong type (got an integer)");

  f = v->validate(json::parse(R"({"jobs": [{"type": "a", "priority": 12}]})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "$.jobs[0].priority");
  EXPECT_EQ(f->message, "$.jobs[0].priority: must be at most 9");

  f = v->validate(json::parse(R"({"jobs": [{"priority": 1}]})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "$.jobs[0].type");
  EXPECT_EQ(f->message, "$.jobs[0].type: is required");

  f = v->validate(json::parse(R"({"jobs": [{"type": "a", "typo": 1}]})"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "$.jobs[0].typo");
  EXPECT_EQ(f->message, "$.jobs[0].typo: is not a field of this request");

  f = v->validate(json::parse(R"([1, 2])"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->path, "$");
}

TEST(RequestBodyValidatorTest, OperationsWithoutAJsonSchemaHaveNoValidator) {
  EXPECT_EQ(RequestBodyValidator::compile(json::object(), components()), nullptr);
  EXPECT_EQ(RequestBodyValidator::compile(
                {{"requestBody", {{"content", {{"text/plain", json::object()}}}}}}, components()),
            nullptr);
}

TEST(RequestBodyValidatorTest, RoutesGetTheirValidatorsAndABrokenSchemaNamesItsRoute) {
  RouteTable table;
  ASSERT_FALSE(table.components().add("scheduler", components()));
  RouteEntry with_body;
  with_body.owner = "scheduler";
  with_body.method = "POST";
  with_body.pattern = "/api/v1/jobengine/jobs/batch";
  with_body.openapi_json = operation().dump();
  ASSERT_FALSE(table.add(with_body));
  RouteEntry without;
  without.owner = "scheduler";
  without.method = "GET";
  without.pattern = "/api/v1/jobengine/jobs";
  ASSERT_FALSE(table.add(without));
  attachRequestBodyValidators(table);
  EXPECT_NE(table.match("POST", "/api/v1/jobengine/jobs/batch").route->body_validator, nullptr);
  EXPECT_EQ(table.match("GET", "/api/v1/jobengine/jobs").route->body_validator, nullptr);

  RouteEntry broken = with_body;
  broken.owner = "audit";
  broken.pattern = "/api/v1/jobengine/audit/x";
  broken.openapi_json =
      json{{"requestBody",
            {{"content",
              {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Nope"}}}}}}}}}}
          .dump();
  ASSERT_FALSE(table.add(broken));
  try {
    attachRequestBodyValidators(table);
    FAIL() << "a schema with a dangling $ref compiled";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("route POST /api/v1/jobengine/audit/x of 'audit'"),
              std::string::npos)
        << e.what();
  }
}

TEST(ApiComponentsTest, ANameHasOneOwner) {
  ApiComponents c;
  ASSERT_FALSE(c.add("host", {{"schemas", {{"ErrorEnvelope", {{"type", "object"}}}}}}));
  ASSERT_FALSE(c.add("scheduler", {{"schemas", {{"Job", {{"type", "object"}}}}}}));
  const auto dup = c.add(
      "audit", {{"schemas", {{"Entry", {{"type", "object"}}}, {"Job", {{"type", "object"}}}}}});
  ASSERT_TRUE(dup);
  EXPECT_EQ(*dup, "component schemas/Job is registered by both 'scheduler' and 'audit'");
  EXPECT_EQ(c.ownerOf("schemas", "Entry"), "") << "a refused registration adds nothing";
  EXPECT_TRUE(c.add("audit", {{"widgets", json::object()}}));
  EXPECT_TRUE(c.add("audit", json::array()));
  const auto merged = c.merged();
  EXPECT_TRUE(merged["schemas"].contains("ErrorEnvelope"));
  EXPECT_TRUE(merged["schemas"].contains("Job"));
  EXPECT_EQ(c.ownerOf("schemas", "Job"), "scheduler");
}

}  // namespace
}  // namespace jobengine::host
