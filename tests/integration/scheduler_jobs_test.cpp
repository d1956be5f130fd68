// Scheduler job routes on the real binary: enqueue (one and batch), detail, filtered keyset
// listing, summary, history from the outbox, operator actions (prioritize, cancel, retry,
// replay), and the in-process runner executing the built-in scheduler.noop type.
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class SchedulerJobsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("sched_jobs"); }
};

TEST_F(SchedulerJobsTest, EnqueueGetListSummaryAndHistory) {
  const Reply created =
      post("/jobs", {{"type", "ext.list"}, {"payload", {{"b", 1}, {"a", 2}}}, {"priority", 7}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json job = created.json();
  EXPECT_EQ(job["status"], "queued");
  EXPECT_EQ(job["priority"], 7);
  EXPECT_EQ(job["payloadDigest"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_EQ(get("/jobs/" + job["id"].get<std::string>()).json()["id"], job["id"]);

  const Reply batch =
      post("/jobs/batch",
           {{"jobs", {{{"type", "ext.list"}}, {{"type", "ext.list"}}, {{"type", "ext.other"}}}}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  EXPECT_EQ(batch.json()["jobs"].size(), 3u);

  const Reply page1 = get("/jobs?type=ext.list&page_size=2");
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_EQ(page1.json()["items"].size(), 2u);
  ASSERT_TRUE(page1.json().contains("nextPageToken")) << page1.body;
  const Reply page2 = get("/jobs?type=ext.list&page_size=2&page_token=" +
                          page1.json()["nextPageToken"].get<std::string>());
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_EQ(page2.json()["items"].size(), 1u);
  EXPECT_FALSE(page2.json().contains("nextPageToken"));
  EXPECT_NE(page1.json()["items"][0]["id"], page2.json()["items"][0]["id"]);
  // A token is bound to its listing and filters: another filter or list refuses it.
  const std::string token = page1.json()["nextPageToken"];
  const Reply other_filter = get("/jobs?type=ext.other&page_token=" + token);
  EXPECT_EQ(other_filter.status, 400) << other_filter.body;
  EXPECT_EQ(other_filter.json()["error"]["code"], "INVALID_PAGE_TOKEN") << other_filter.body;
  EXPECT_EQ(get("/runs?page_token=" + token).status, 400);
  EXPECT_EQ(get("/sources?page_token=" + token).status, 400);
  EXPECT_EQ(get("/jobs?status=queued&type=ext.other").json()["items"].size(), 1u);

  const json summary = get("/jobs/summary").json();
  EXPECT_GE(summary["total"].get<int>(), 4) << summary.dump();
  EXPECT_EQ(summary["byType"]["ext.list"]["queued"], 3) << summary.dump();

  const auto events = history(job["id"].get<std::string>());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0], "job.created");
}

TEST_F(SchedulerJobsTest, IdempotencyKeyEnqueuesOnce) {
  const json body = {{"type", "ext.idem"}, {"idempotencyKey", "k-1"}, {"payload", {{"x", 1}}}};
  const Reply first = post("/jobs", body);
  ASSERT_EQ(first.status, 201) << first.body;
  const Reply again = post("/jobs", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["id"], first.json()["id"]);
  EXPECT_EQ(get("/jobs?type=ext.idem").json()["items"].size(), 1u);
}

TEST_F(SchedulerJobsTest, RefusesBadInputWithTheEnvelope) {
  Reply r = post("/jobs", json::object());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "VALIDATION_FAILED");
  EXPECT_EQ(post("/jobs", {{"type", "ext.x"}, {"priority", 12}}).status, 422);
  EXPECT_EQ(get("/jobs/not-a-uuid").status, 404);
  EXPECT_EQ(get("/jobs/0190b1a2-0000-7000-8000-000000000000").status, 404);
  EXPECT_EQ(get("/jobs?page_token=@@@").status, 400);
  const Reply too_big = get("/jobs?page_size=501");
  EXPECT_EQ(too_big.status, 400);
  EXPECT_EQ(too_big.json()["error"]["code"], "INVALID_PAGE_SIZE") << too_big.body;
  EXPECT_EQ(get("/jobs?status=bogus").status, 400);
}

TEST_F(SchedulerJobsTest, PrioritizeCancelRetryReplay) {
  const std::string id = post("/jobs", {{"type", "ext.ops"}}).json()["id"].get<std::string>();
  Reply r = post("/jobs/" + id + "/prioritize", {{"priority", 2}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["priority"], 2);
  EXPECT_EQ(post("/jobs/" + id + "/retry", json::object()).status, 409);   // not failed
  EXPECT_EQ(post("/jobs/" + id + "/replay", json::object()).status, 409);  // not terminal

  r = post("/jobs/" + id + "/cancel", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "canceled");
  EXPECT_EQ(post("/jobs/" + id + "/cancel", json::object()).json()["status"], "canceled");
  EXPECT_EQ(post("/jobs/" + id + "/prioritize", {{"priority", 3}}).status, 409);

  r = post("/jobs/" + id + "/replay", json::object());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["replayOf"], id);
  EXPECT_EQ(r.json()["priority"], 9);
  EXPECT_EQ(r.json()["status"], "queued");
  const auto events = history(r.json()["id"].get<std::string>());
  EXPECT_EQ(count(events, "job.replayed"), 1u);
}

TEST_F(SchedulerJobsTest, InProcessRunnerExecutesNoopJobs) {
  const Reply batch = post("/jobs/batch", {{"jobs",
                                            {{{"type", "scheduler.noop"}},
                                             {{"type", "scheduler.noop"}},
                                             {{"type", "scheduler.noop"}}}}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  const json created = batch.json();
  for (const auto& j : created["jobs"]) {
    const std::string id = j["id"].get<std::string>();
    const json done = waitStatus(id, "succeeded");
    EXPECT_EQ(done["status"], "succeeded") << done.dump();
    EXPECT_EQ(done["attempts"], 1);
    const auto events = history(id);
    EXPECT_EQ(events, (std::vector<std::string>{"job.created", "job.leased", "job.succeeded"}));
  }
}

TEST_F(SchedulerJobsTest, OperatorRetryOfADeadLetteredJob) {
  const std::string id =
      post("/jobs", {{"type", "ext.dead"}, {"maxAttempts", 1}}).json()["id"].get<std::string>();
  const json g = claim("ext.dead", 1, 30)[0];
  Reply r = post("/worker/jobs/" + id + "/complete",
                 {{"leaseId", g["leaseId"]},
                  {"status", "failed"},
                  {"error", {{"code", "SCHEMA_INVALID"}, {"message", "bad doc"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "failed");
  r = post("/jobs/" + id + "/retry", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "queued");
  EXPECT_EQ(r.json()["maxAttempts"], 2);
}

}  // namespace
}  // namespace jobengine::testing
