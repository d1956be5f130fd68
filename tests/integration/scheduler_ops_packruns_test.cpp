// Pack runs on the real engine (SPEC §5 last bullet): a missing tenant or project is 422 and
// creates nothing (no pack run, run, job or event); a valid one creates the pack run with its
// run and queued job; log lines append in order and read back resumably with ?after=<seq>;
// an SSE request is redirected to the stream listener. POST /pack-runs is not a JE_ROUTE_TXN
// route, so its Idempotency-Key takes the host's marker path (docs/api.md, "Idempotency on
// routes without JE_ROUTE_TXN"): replay, 422 on another body, no marker left by a refusal.
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
        "(SELECT count(*) FROM scheduler.jobs) + "
        // Tenant events only: the engine's own leader.elected (tenant "system") is expected.
        "(SELECT count(*) FROM jobengine.events WHERE tenant_id <> 'system') = 0");
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
  EXPECT_FALSE(page2.json().contains("nextPageToken"));
  // The same resume point as a page token (SDK pagination), bound to this pack run's log.
  ASSERT_TRUE(page1.json().contains("nextPageToken")) << page1.body;
  const std::string token = page1.json()["nextPageToken"];
  const Reply by_token =
      ops_->http().get(path + "/" + id + "/logs?page_token=" + token, ops_->headers("t1"));
  ASSERT_EQ(by_token.status, 200) << by_token.body;
  EXPECT_EQ(by_token.json()["lines"], page2.json()["lines"]);
  EXPECT_EQ(ops_->http().get(path + "/" + id + "/logs?page_size=0", ops_->headers("t1")).status,
            400);
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

TEST_F(PackRunTest, IdempotencyKeyReplaysOnTheMarkerPath) {
  const std::string path = std::string(kApi) + "/pack-runs";
  const auto headers = [](const std::string& key) {
    return ops_->headers("t1", {"X-StellaOps-Project: p-idem", "Idempotency-Key: " + key});
  };
  const auto count = [](const std::string& pack_ref) {
    return "(SELECT count(*) FROM scheduler.pack_runs WHERE pack_ref = '" + pack_ref + "')";
  };
  const nlohmann::json body = {{"packRef", "packs/idem@1"}, {"inputs", {{"n", 1}}}};
  const Reply first = ops_->http().post(path, body, headers("pack-k1"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");

  // The same key and body: the first response again, and nothing new is created.
  const Reply again = ops_->http().post(path, body, headers("pack-k1"));
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.header("location"), first.header("location"));
  EXPECT_NE(again.header("content-type").find("application/json"), std::string::npos);
  const std::string run_id = first.json()["runId"];
  EXPECT_TRUE(ops_->holds(count("packs/idem@1") + " = 1"));
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.runs WHERE project_id = 'p-idem') = 1"));
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM scheduler.jobs WHERE run_id = '" + run_id + "') = 1"));
  // The marker became the stored response.
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM jobengine.idempotency_keys WHERE key = 'pack-k1' AND "
                  "status = 201 AND tenant_id = 't1') = 1"));

  // The same key with another body: refused, nothing created, and the record is unchanged.
  const Reply reused = ops_->http().post(path, {{"packRef", "packs/idem@2"}}, headers("pack-k1"));
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(reused.json()["error"]["code"], "IDEMPOTENCY_KEY_REUSED") << reused.body;
  EXPECT_TRUE(ops_->holds(count("packs/idem@2") + " = 0"));
  const Reply still = ops_->http().post(path, body, headers("pack-k1"));
  EXPECT_EQ(still.status, 201) << still.body;
  EXPECT_EQ(still.body, first.body);
  EXPECT_EQ(still.header("idempotent-replayed"), "true");
  EXPECT_TRUE(ops_->holds(count("packs/idem@1") + " = 1"));

  // A refused request stores nothing under its key (the marker is removed), so the key is
  // free for a corrected request at once rather than answering 409 until the marker lapses.
  // Refused by the handler here (no project); a body the request schema refuses is the
  // disabled test below.
  const Reply invalid = ops_->http().post(path, {{"packRef", "packs/idem@3"}},
                                          ops_->headers("t1", {"Idempotency-Key: pack-k2"}));
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(invalid.json()["error"]["code"], "PROJECT_REQUIRED") << invalid.body;
  EXPECT_TRUE(
      ops_->holds("NOT EXISTS (SELECT 1 FROM jobengine.idempotency_keys WHERE key = 'pack-k2')"));
  const Reply fixed = ops_->http().post(path, {{"packRef", "packs/idem@3"}}, headers("pack-k2"));
  EXPECT_EQ(fixed.status, 201) << fixed.body;
  EXPECT_EQ(fixed.header("idempotent-replayed"), "");
  EXPECT_TRUE(ops_->holds(count("packs/idem@3") + " = 1"));
}

// A body the request schema refuses (before the handler) frees its Idempotency-Key like any
// other refusal: on this route without JE_ROUTE_TXN the marker reserved before the check is
// removed, so the corrected request goes through under the same key.
TEST_F(PackRunTest, ASchemaRefusalFreesTheKeyToo) {
  const std::string path = std::string(kApi) + "/pack-runs";
  const auto headers =
      ops_->headers("t1", {"X-StellaOps-Project: p-idem", "Idempotency-Key: pack-k3"});
  const Reply invalid = ops_->http().post(path, {{"inputs", {{"n", 2}}}}, headers);
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(invalid.json()["error"]["details"]["field"], "$.packRef") << invalid.body;
  EXPECT_TRUE(
      ops_->holds("NOT EXISTS (SELECT 1 FROM jobengine.idempotency_keys WHERE key = 'pack-k3')"));
  const Reply fixed = ops_->http().post(path, {{"packRef", "packs/idem@4"}}, headers);
  EXPECT_EQ(fixed.status, 201) << fixed.body;
}

TEST_F(PackRunTest, ConcurrentDuplicatesCreateOnePackRun) {
  // The marker is written under the same advisory lock as the strong path: a duplicate racing
  // the first request is 409 IDEMPOTENCY_IN_FLIGHT or a replay, never a second pack run.
  constexpr int kThreads = 4;
  const std::string path = std::string(kApi) + "/pack-runs";
  const auto headers =
      ops_->headers("t1", {"X-StellaOps-Project: p-race", "Idempotency-Key: pk-race"});
  const auto race = tallyIdempotentRace(
      concurrentRequests(ops_->engine().restPort(), kThreads,
                         [&](HttpClient& http) {
                           return http.post(path, {{"packRef", "packs/race@1"}}, headers);
                         }),
      201);
  EXPECT_EQ(race.created, 1) << "replayed " << race.replayed << ", in flight " << race.in_flight;
  for (const Reply& r : race.unexpected) {
    ADD_FAILURE() << r.status << " " << r.body;
  }
  EXPECT_TRUE(ops_->holds(
      "(SELECT count(*) FROM scheduler.pack_runs WHERE pack_ref = 'packs/race@1') = 1"));
}

}  // namespace
}  // namespace jobengine::testing
