// Sources on the real engine (SPEC §5.1, §5): CRUD, ETag / If-Match / 412, pause and resume,
// manual sync (a run and a queued job), watermarks, validation errors, duplicates, tenant
// isolation, and one source.* event per mutation in the outbox.
#include <gtest/gtest.h>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

class SourcesTest : public ::testing::Test {
 protected:
  // The engine starts in the first test's SetUp, so a start failure fails that test.
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("ops_sources");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  Reply create(const nlohmann::json& body, const std::string& tenant = "t1") {
    return ops_->http().post(std::string(kApi) + "/sources", body, ops_->headers(tenant));
  }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& extra = {}, const std::string& tenant = "t1") {
    auto h = ops_->headers(tenant, extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
};
OpsEngine* SourcesTest::ops_ = nullptr;

TEST_F(SourcesTest, CreateGetListAndEtag) {
  const Reply created = create({{"name", "concelier:osv"},
                                {"kind", "concelier"},
                                {"upstreamHost", "api.osv.dev"},
                                {"ratePolicy", {{"rpm", 60}, {"burst", 10}}},
                                {"schedule", {{"cron", "*/15 * * * *"}, {"timeZone", "UTC"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto source = created.json();
  EXPECT_EQ(source["version"], 1);
  EXPECT_EQ(source["paused"], false);
  EXPECT_EQ(created.header("etag"), "\"v1\"");
  const std::string id = source["id"];

  const Reply got = call("GET", "/sources/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.header("etag"), "\"v1\"");
  EXPECT_EQ(got.json()["upstreamHost"], "api.osv.dev");
  EXPECT_EQ(got.json()["ratePolicy"]["rpm"], 60);

  const Reply list = call("GET", "/sources");
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  const auto listed = list.json();  // keep the parsed body alive while iterating it
  for (const auto& s : listed["sources"]) {
    found = found || s["id"] == id;
  }
  EXPECT_TRUE(found) << list.body;

  // Another tenant sees nothing of it.
  EXPECT_EQ(call("GET", "/sources/" + id, "", {}, "t2").status, 404);
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM jobengine.events WHERE event_type = "
                  "'source.created' AND source_id = '" +
                  id + "') = 1"));
}

TEST_F(SourcesTest, PatchAndDeleteHonourIfMatch) {
  const Reply created = create({{"name", "excititor:csaf"}, {"kind", "excititor"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];

  const Reply stale =
      call("PATCH", "/sources/" + id, R"({"upstreamHost":"example.org"})", {"If-Match: \"v7\""});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.json()["error"]["code"], "PRECONDITION_FAILED");

  const Reply patched =
      call("PATCH", "/sources/" + id, R"({"upstreamHost":"example.org"})", {"If-Match: \"v1\""});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["version"], 2);
  EXPECT_EQ(patched.header("etag"), "\"v2\"");
  EXPECT_EQ(patched.json()["upstreamHost"], "example.org");

  const Reply cleared =
      call("PATCH", "/sources/" + id, R"({"upstreamHost":null})", {"If-Match: \"v2\""});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json()["upstreamHost"].is_null());

  EXPECT_EQ(call("DELETE", "/sources/" + id, "", {"If-Match: \"v1\""}).status, 412);
  EXPECT_EQ(call("DELETE", "/sources/" + id, "", {"If-Match: \"v3\""}).status, 204);
  EXPECT_EQ(call("GET", "/sources/" + id).status, 404);
  EXPECT_TRUE(
      ops_->holds("(SELECT array_agg(event_type ORDER BY seq) FROM jobengine.events "
                  "WHERE source_id = '" +
                  id +
                  "') = ARRAY['source.created','source.updated','source.updated',"
                  "'source.deleted']"));
}

TEST_F(SourcesTest, PauseResumeAndSync) {
  // Kind "example": no plugin registers example.fetch, so the job stays queued (the adapters'
  // own kinds run at once; sources_ingest_test covers them).
  const Reply created = create({{"name", "example:nvd"}, {"kind", "example"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.json()["id"];

  const Reply paused = call("POST", "/sources/" + id + "/pause", R"({"reason":"upstream down"})");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json()["paused"], true);
  EXPECT_EQ(paused.json()["pauseReason"], "upstream down");
  // Pausing again changes nothing.
  const Reply again = call("POST", "/sources/" + id + "/pause", "{}");
  EXPECT_EQ(again.json()["version"], paused.json()["version"]);

  const Reply refused = call("POST", "/sources/" + id + "/sync", "{}");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json()["error"]["code"], "SOURCE_PAUSED");

  const Reply resumed = call("POST", "/sources/" + id + "/resume", "{}");
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.json()["paused"], false);

  const Reply sync = call("POST", "/sources/" + id + "/sync", "{}");
  ASSERT_EQ(sync.status, 202) << sync.body;
  const std::string job_id = sync.json()["jobId"];
  EXPECT_EQ(sync.json()["jobType"], "example.fetch");
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.jobs WHERE id = '" + job_id +
                          "' AND status = 'queued' AND source_id = '" + id + "')"));
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM jobengine.events WHERE job_id = '" + job_id +
                          "' AND event_type = 'job.created') = 1"));
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM jobengine.events WHERE source_id = '" + id +
                          "' AND event_type IN ('source.paused','source.resumed')) = 2"));

  const Reply marks = call("GET", "/sources/" + id + "/watermarks");
  ASSERT_EQ(marks.status, 200) << marks.body;
  EXPECT_TRUE(marks.json()["watermarks"].empty());
}

TEST_F(SourcesTest, ValidationErrorsAndDuplicates) {
  const Reply missing_kind = create({{"name", "x:y"}});
  EXPECT_EQ(missing_kind.status, 422);
  // Shape checks come from the request schema (the host's validator: JSON paths), semantic
  // ones (a cron expression) from the handler.
  EXPECT_EQ(missing_kind.json()["error"]["details"]["field"], "$.kind");

  const Reply bad_rate = create({{"name", "x:z"}, {"kind", "x"}, {"ratePolicy", {{"rpm", 0}}}});
  EXPECT_EQ(bad_rate.status, 422);
  EXPECT_EQ(bad_rate.json()["error"]["details"]["field"], "$.ratePolicy.rpm");

  const Reply bad_cron = create({{"name", "x:c"}, {"kind", "x"}, {"schedule", {{"cron", "* *"}}}});
  EXPECT_EQ(bad_cron.status, 422);
  EXPECT_EQ(bad_cron.json()["error"]["details"]["field"], "schedule.cron");

  const Reply typo = create({{"name", "x:t"}, {"kind", "x"}, {"enabeld", true}});
  EXPECT_EQ(typo.status, 422);
  EXPECT_EQ(typo.json()["error"]["code"], "VALIDATION_FAILED");
  EXPECT_EQ(typo.json()["error"]["details"]["field"], "$.enabeld");

  const Reply not_json = call("POST", "/sources", "{nope");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.json()["error"]["code"], "MALFORMED_REQUEST");

  ASSERT_EQ(create({{"name", "dup:one"}, {"kind", "x"}}).status, 201);
  const Reply dup = create({{"name", "dup:one"}, {"kind", "x"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.json()["error"]["code"], "SOURCE_EXISTS");
  // The same name in another tenant is fine.
  EXPECT_EQ(create({{"name", "dup:one"}, {"kind", "x"}}, "t2").status, 201);

  EXPECT_EQ(call("GET", "/sources/not-a-uuid").status, 404);
  EXPECT_EQ(call("GET", "/sources?page_size=0").status, 400);
}

TEST_F(SourcesTest, ListPaginatesInCreationOrder) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(create({{"name", "page:" + std::to_string(i)}, {"kind", "p"}}, "t3").status, 201);
  }
  std::vector<std::string> names;
  std::string token;
  for (int guard = 0; guard < 10; ++guard) {
    const Reply page =
        call("GET", "/sources?page_size=2" + (token.empty() ? "" : "&page_token=" + token), "", {},
             "t3");
    ASSERT_EQ(page.status, 200) << page.body;
    const auto body = page.json();
    for (const auto& s : body["sources"]) {
      names.push_back(s["name"]);
    }
    if (!page.json().contains("nextPageToken")) {
      break;
    }
    token = page.json()["nextPageToken"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"page:0", "page:1", "page:2", "page:3", "page:4"}));
}

}  // namespace
}  // namespace jobengine::testing
