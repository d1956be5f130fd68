// Request bodies are validated by the documented schema before the handler runs (issue 17,
// docs/api.md "Schemas"): the real engine, the scheduler's real operations. A body the schema
// rejects answers 422 VALIDATION_FAILED naming the first offending field by JSON path, a body
// that is not JSON answers 400 with the parser's offset, and nothing is created either way.
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class ApiRequestValidationTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("api_request_validation"); }

  Reply postRaw(const std::string& path, const std::string& body) {
    std::vector<std::string> h = headers();
    h.emplace_back("Content-Type: application/json");
    return http_->call("POST", "/api/v1/jobengine" + path, body, h);
  }

  static void expectInvalid(const Reply& r, const std::string& field, const std::string& message) {
    ASSERT_EQ(r.status, 422) << r.body;
    const json err = r.json()["error"];
    EXPECT_EQ(err["code"], "VALIDATION_FAILED") << r.body;
    EXPECT_EQ(err["details"]["field"], field) << r.body;
    EXPECT_EQ(err["message"], message) << r.body;
    EXPECT_EQ(err["traceId"].get<std::string>().size(), 32U) << r.body;
  }

  int64_t jobCount() { return get("/jobs/summary").json()["total"].get<int64_t>(); }
};

TEST_F(ApiRequestValidationTest, TheFirstOffendingFieldIsNamedByItsJsonPath) {
  const int64_t before = jobCount();
  expectInvalid(post("/jobs", {{"type", 7}}), "$.type",
                "$.type: has the wrong type (got an integer)");
  expectInvalid(post("/jobs", {{"type", "ext.v"}, {"priorty", 3}}), "$.priorty",
                "$.priorty: is not a field of this request");
  expectInvalid(
      post("/jobs/batch",
           {{"jobs",
             {{{"type", "ext.v"}}, {{"type", "ext.v"}}, {{"type", "ext.v"}, {"priority", 12}}}}}),
      "$.jobs[2].priority", "$.jobs[2].priority: must be at most 9");
  expectInvalid(post("/jobs/batch", json::object()), "$.jobs", "$.jobs: is required");
  // Nothing of a refused batch was written, not even its valid first jobs.
  EXPECT_EQ(jobCount(), before);
}

TEST_F(ApiRequestValidationTest, ABodyThatIsNotJsonIsA400WithTheOffset) {
  const Reply r = postRaw("/jobs", R"({"type": "ext.v",)");
  ASSERT_EQ(r.status, 400) << r.body;
  const json err = r.json()["error"];
  EXPECT_EQ(err["code"], "MALFORMED_REQUEST") << r.body;
  EXPECT_NE(err["message"].get<std::string>().find("not valid JSON"), std::string::npos) << r.body;
  EXPECT_TRUE(err["details"]["offset"].is_number_integer()) << r.body;

  const Reply empty = postRaw("/jobs", "");
  ASSERT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(empty.json()["error"]["message"], "this operation needs a JSON request body");
}

TEST_F(ApiRequestValidationTest, AValidBodyStillMeetsTheHandlersOwnChecks) {
  // The schema passes it; the handler's semantic check (the run's DAG) still answers.
  const Reply valid = post("/jobs", {{"type", "ext.v"}, {"priority", 9}});
  ASSERT_EQ(valid.status, 201) << valid.body;
  const Reply cycle = post("/runs", {{"jobs",
                                      {{{"key", "a"}, {"type", "ext.v"}, {"dependsOn", {"b"}}},
                                       {{"key", "b"}, {"type", "ext.v"}, {"dependsOn", {"a"}}}}}});
  EXPECT_EQ(cycle.status, 422) << cycle.body;
  EXPECT_NE(cycle.body.find("cycle"), std::string::npos) << cycle.body;
}

}  // namespace
}  // namespace jobengine::testing
