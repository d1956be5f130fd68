// Pack runs on the real engine (SPEC §5 last bullet): a missing tenant or project is 422 and
// creates nothing (no pack run, run, job or event); a valid one creates the pack run with its
// run and queued job; log lines append in order and read back resumably with ?after=<seq>;
// an SSE request is redirected to the stream listener.
#include <gtest/gtest.h>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

class PackRunTest : public ::testing::Test {
 protected:
  // The engine starts in the first test's SetUp, so a start failure fails that test.
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("ops_packruns");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;
  static bool nothingCreated() {
    return ops_->holds(
        "(SELECT count(*) FROM scheduler.pack_runs) + (SELECT count(*) FROM scheduler.runs) + "
        "(SELECT count(*) FROM scheduler.jobs) + (SELECT count(*) FROM jobengine.events) = 0");
  }
};
OpsEngine* PackRunTest::ops_ = nullptr;

TEST_F(PackRunTest, TenantAndProjectAreRequiredAndNothingIsCreated) {
  const std::string path = std::string(kApi) + "/pack-runs";
  const nlohmann::json body = {{"packRef", "packs/scan@1"}};
  // No project anywhere.
  const Reply no_project = ops_->http().post(path, body, ops_->headers("t1"));
  EXPECT_EQ(no_project.status, 422) << no_project.body;
  EXPECT_EQ(no_project.json()["error"]["code"], "PROJECT_REQUIRED");
  // No tenant header (a project is given; the token alone names the tenant).
  std::vector<std::string> without_tenant;
  for (const auto& h : ops_->headers("t1")) {
    if (h.rfind("X-StellaOps-Tenant:", 0) != 0) {
      without_tenant.push_back(h);
    }
  }
  const Reply no_tenant =
      ops_->http().post(path, {{"packRef", "packs/scan@1"}, {"projectId", "p1"}}, without_tenant);
  EXPECT_EQ(no_tenant.status, 422) << no_tenant.body;
  EXPECT_EQ(no_tenant.json()["error"]["code"], "TENANT_REQUIRED");
  EXPECT_TRUE(nothingCreated());
  const Reply list = ops_->http().get(std::string(kApi) + "/sources", ops_->headers("t1"));
  EXPECT_EQ(list.status, 200);
}

TEST_F(PackRunTest, CreatesRunJobAndOrderedResumableLogs) {
  const std::string path = std::string(kApi) + "/pack-runs";
  const Reply created =
      ops_->http().post(path, {{"packRef", "packs/scan@1"}, {"inputs", {{"image", "alpine:3"}}}},
                        ops_->headers("t1", {"X-StellaOps-Project: p1"}));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto pack = created.json();
  EXPECT_EQ(pack["projectId"], "p1");
  EXPECT_EQ(pack["jobStatus"], "queued");
  const std::string id = pack["id"];
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.runs WHERE id = '" +
                          pack["runId"].get<std::string>() + "' AND kind = 'pack')"));

  const Reply got = ops_->http().get(path + "/" + id, ops_->headers("t1"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["packRef"], "packs/scan@1");
  EXPECT_EQ(ops_->http().get(path + "/" + id, ops_->headers("t2")).status, 404);

  const Reply first = ops_->http().post(path + "/" + id + "/logs",
                                        {{"lines",
                                          {{{"message", "line 1"}},
                                           {{"message", "line 2"}, {"stream", "stderr"}},
                                           {{"message", "line 3"}}}}},
                                        ops_->headers("t1"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json()["lastSeq"], 3);
  const Reply second =
      ops_->http().post(path + "/" + id + "/logs", {{"message", "line 4"}}, ops_->headers("t1"));
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.json()["firstSeq"], 4);
  EXPECT_EQ(
      ops_->http()
          .post(path + "/" + id + "/logs", {{"lines", {{{"text", "x"}}}}}, ops_->headers("t1"))
          .status,
      422);

  // Read in pages of 3, resuming with nextAfter.
  const Reply page1 = ops_->http().get(path + "/" + id + "/logs?page_size=3", ops_->headers("t1"));
  ASSERT_EQ(page1.status, 200) << page1.body;
  ASSERT_EQ(page1.json()["lines"].size(), 3u);
  EXPECT_EQ(page1.json()["lines"][1]["stream"], "stderr");
  EXPECT_TRUE(page1.json()["hasMore"].get<bool>());
  const int64_t after = page1.json()["nextAfter"];
  const Reply page2 = ops_->http().get(path + "/" + id + "/logs?after=" + std::to_string(after),
                                       ops_->headers("t1"));
  ASSERT_EQ(page2.json()["lines"].size(), 1u);
  EXPECT_EQ(page2.json()["lines"][0]["seq"], 4);
  EXPECT_EQ(page2.json()["lines"][0]["message"], "line 4");
  EXPECT_FALSE(page2.json()["hasMore"].get<bool>());
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM jobengine.events WHERE event_type = "
                  "'pack_run.log' AND body->'data'->>'packRunId' = '" +
                  id + "') = 4"));

  const Reply sse = ops_->http().get(path + "/" + id + "/logs",
                                     ops_->headers("t1", {"Accept: text/event-stream"}));
  EXPECT_EQ(sse.status, 307) << sse.body;
  EXPECT_NE(sse.header("location")
                .find("/api/v1/jobengine/stream?runId=" + pack["runId"].get<std::string>() +
                      "&types=pack_run.log"),
            std::string::npos)
      << sse.header("location");
}

}  // namespace
}  // namespace jobengine::testing
