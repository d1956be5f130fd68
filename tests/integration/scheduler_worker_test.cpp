// The worker bridge on the real binary: claim / heartbeat / artifacts / complete, batch forms,
// fencing (a stale lease is refused with 409 and nothing changes, also after expiry and
// re-lease), retries with backoff ending in a dead letter, non-retryable errors, and an
// external worker process (examples/worker) killed while holding a lease.
#include <filesystem>
#include <regex>
#include <set>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class SchedulerWorkerTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("sched_worker"); }

  std::string enqueue(const json& job) {
    const Reply r = post("/jobs", job);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json()["id"].get<std::string>();
  }
};

TEST_F(SchedulerWorkerTest, ClaimHeartbeatArtifactsCompleteAndFencing) {
  const std::string id = enqueue({{"type", "ext.bridge"}, {"payload", {{"n", 1}}}});
  const json grants = claim("ext.bridge", 5, 30);
  ASSERT_EQ(grants.size(), 1u) << grants.dump();
  const json& g = grants[0];
  EXPECT_EQ(g["jobId"], id);
  EXPECT_EQ(g["attempt"], 1);
  EXPECT_EQ(g["payload"]["n"], 1);
  EXPECT_EQ(g["provenance"]["tenant"], tenant_);
  EXPECT_FALSE(g["idempotencyKey"].get<std::string>().empty());
  const std::string lease = g["leaseId"].get<std::string>();

  Reply r = post("/worker/jobs/" + id + "/heartbeat",
                 {{"leaseId", lease}, {"progress", 40}, {"message", "half"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["cancelRequested"], false);
  EXPECT_EQ(job(id)["status"], "running");
  EXPECT_EQ(job(id)["progress"], 40);

  r = post("/worker/jobs/" + id + "/artifacts",
           {{"leaseId", lease},
            {"artifacts", {{{"uri", "s3://b/k"}, {"digest", "sha256:" + std::string(64, 'a')}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["recorded"], 1);
  r = get("/jobs/" + id + "/artifacts");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["items"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["items"][0]["uri"], "s3://b/k");
  EXPECT_EQ(r.json()["items"][0]["digest"], "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(r.json()["items"][0]["jobId"], id);
  EXPECT_FALSE(r.json().contains("nextPageToken"));

  const std::string bogus = "0190b1a2-0000-7000-8000-000000000001";
  r = post("/worker/jobs/" + id + "/complete", {{"leaseId", bogus}, {"status", "succeeded"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "LEASE_STALE");
  EXPECT_EQ(job(id)["status"], "running");

  r = post("/worker/jobs/" + id + "/complete", {{"leaseId", lease}, {"status", "succeeded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "succeeded");
  r = post("/worker/jobs/" + id + "/complete", {{"leaseId", lease}, {"status", "failed"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(post("/worker/jobs/" + id + "/heartbeat", {{"leaseId", lease}}).status, 409);
  EXPECT_EQ(job(id)["status"], "succeeded");
  const auto events = history(id);
  EXPECT_EQ(events, (std::vector<std::string>{"job.created", "job.leased", "job.started",
                                              "job.progress", "job.succeeded"}));
  const Reply metrics = http_->get("/metrics");
  EXPECT_NE(metrics.body.find("jobengine_scheduler_jobs_completed_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("jobengine_scheduler_stale_reports_total"), std::string::npos);
}

// Job transitions store their `job` fields in typed outbox columns and no event id
// (migrations/host/0004); every reader must still get the whole envelope, the same on each
// read and the same from the job history and from GET /events.
TEST_F(SchedulerWorkerTest, JobEventsCarryTheWholeEnvelopeOnEveryRead) {
  const std::string id = enqueue({{"type", "ext.envelope"}, {"payload", {{"n", 7}}}});
  const std::string digest = job(id)["payloadDigest"];
  const json grants = claim("ext.envelope", 1, 30);
  ASSERT_EQ(grants.size(), 1u) << grants.dump();
  const std::string lease = grants[0]["leaseId"];
  ASSERT_EQ(post("/worker/jobs/" + id + "/complete", {{"leaseId", lease}, {"status", "succeeded"}})
                .status,
            200);

  const Reply first = get("/jobs/" + id + "/history");
  ASSERT_EQ(first.status, 200) << first.body;
  const json items = first.json()["items"];
  ASSERT_EQ(items.size(), 3u) << first.body;
  const std::regex v7(
      "urn:orch:event:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
      "[0-9a-f]{12}");
  std::set<std::string> ids;
  for (const auto& e : items) {
    const std::string event_id = e.value("eventId", "");
    EXPECT_TRUE(std::regex_match(event_id, v7)) << e.dump();
    ids.insert(event_id);
    EXPECT_EQ(e["job"]["id"], id) << e.dump();
    EXPECT_EQ(e["job"]["type"], "ext.envelope") << e.dump();
    EXPECT_EQ(e["job"]["payloadDigest"], digest) << e.dump();
    EXPECT_TRUE(e["data"].is_object()) << e.dump();
  }
  EXPECT_EQ(ids.size(), 3u) << first.body;
  EXPECT_EQ(get("/jobs/" + id + "/history").json()["items"], items) << "not stable across reads";

  const json& leased = items[1];
  EXPECT_EQ(leased["eventType"], "job.leased");
  EXPECT_EQ(leased["idempotencyKey"], "orch-job.leased-" + id + "-1");
  // The actor is the worker's token (the host's, SPEC §6); the worker id stays in the data.
  EXPECT_EQ(leased["actor"]["subject"], "dev-operator");
  EXPECT_EQ(leased["operator"]["reason"], "integration test");
  EXPECT_EQ(leased["job"]["status"], "leased");
  EXPECT_EQ(leased["job"]["fromStatus"], "queued");
  EXPECT_EQ(leased["job"]["attempt"], 1);
  EXPECT_EQ(leased["job"]["leaseId"], lease);
  EXPECT_EQ(leased["data"]["workerId"], "test-worker");
  EXPECT_EQ(items[2]["job"]["status"], "succeeded");
  EXPECT_EQ(items[2]["job"]["fromStatus"], "leased");

  // GET /events (the host's reader) returns the same envelope fields for the same seq.
  std::string token;
  size_t matched = 0;
  do {
    const Reply page = http_->get(
        "/api/v1/jobengine/events?page_size=500" + (token.empty() ? "" : "&page_token=" + token),
        headers());
    ASSERT_EQ(page.status, 200) << page.body;
    const json body = page.json();
    for (const auto& e : body["items"]) {
      for (const auto& h : items) {
        if (e["seq"] == h["seq"]) {
          ++matched;
          EXPECT_EQ(e["eventId"], h["eventId"]);
          EXPECT_EQ(e["idempotencyKey"], h["idempotencyKey"]);
          EXPECT_EQ(e["job"], h["job"]);
          EXPECT_EQ(e["actor"], h["actor"]);
          EXPECT_EQ(e["tenantId"], tenant_);
        }
      }
    }
    token = body.value("nextPageToken", "");
  } while (!token.empty());
  EXPECT_EQ(matched, 3u);
}

TEST_F(SchedulerWorkerTest, BatchHeartbeatAndCompleteReportEachItem) {
  enqueue({{"type", "ext.batch"}});
  enqueue({{"type", "ext.batch"}});
  const json grants = claim("ext.batch", 2, 30, 2);
  ASSERT_EQ(grants.size(), 2u);
  const std::string bogus = "0190b1a2-0000-7000-8000-000000000002";
  Reply r = post("/worker/heartbeat",
                 {{"heartbeats",
                   {{{"jobId", grants[0]["jobId"]}, {"leaseId", grants[0]["leaseId"]}},
                    {{"jobId", grants[1]["jobId"]}, {"leaseId", bogus}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["results"][0]["applied"], true);
  EXPECT_EQ(r.json()["results"][1]["applied"], false);
  r = post("/worker/complete",
           {{"completions",
             {{{"jobId", grants[0]["jobId"]},
               {"leaseId", grants[0]["leaseId"]},
               {"status", "succeeded"}},
              {{"jobId", grants[1]["jobId"]}, {"leaseId", bogus}, {"status", "succeeded"}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["results"][0]["applied"], true);
  EXPECT_EQ(r.json()["results"][1]["applied"], false);
  EXPECT_EQ(r.json()["results"][1]["error"]["code"], "LEASE_STALE");
  EXPECT_EQ(job(grants[0]["jobId"].get<std::string>())["status"], "succeeded");
  EXPECT_EQ(job(grants[1]["jobId"].get<std::string>())["status"], "leased");
}

TEST_F(SchedulerWorkerTest, ExpiredLeaseIsFencedAfterReLease) {
  const std::string id = enqueue({{"type", "ext.fence"}});
  const json first = claim("ext.fence", 1, 1)[0];
  // The sweeper re-queues the job once the 1 s lease expired.
  const json requeued = waitJob(id, [](const json& j) { return j["status"] == "queued"; });
  ASSERT_EQ(requeued["status"], "queued") << requeued.dump();
  EXPECT_EQ(requeued["reason"], "lease_expired");
  const json second = claim("ext.fence", 1, 30)[0];
  EXPECT_EQ(second["attempt"], 2);
  Reply r = post("/worker/jobs/" + id + "/complete",
                 {{"leaseId", first["leaseId"]}, {"status", "succeeded"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(job(id)["status"], "leased");
  r = post("/worker/jobs/" + id + "/complete",
           {{"leaseId", second["leaseId"]}, {"status", "succeeded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto events = history(id);
  EXPECT_EQ(count(events, "job.succeeded"), 1u);
  EXPECT_EQ(count(events, "job.lease_expired"), 1u);
}

TEST_F(SchedulerWorkerTest, RetriesWithBackoffThenDeadLetter) {
  const std::string id = enqueue(
      {{"type", "ext.retry"}, {"maxAttempts", 2}, {"backoffBaseMs", 1}, {"backoffCapMs", 5}});
  json g = claim("ext.retry", 1, 30)[0];
  Reply r = post("/worker/jobs/" + id + "/complete",
                 {{"leaseId", g["leaseId"]},
                  {"status", "failed"},
                  {"error", {{"code", "UPSTREAM_503"}, {"message", "busy"}, {"retryable", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "queued");
  g = claim("ext.retry", 1, 30)[0];
  EXPECT_EQ(g["attempt"], 2);
  r = post("/worker/jobs/" + id + "/complete",
           {{"leaseId", g["leaseId"]},
            {"status", "failed"},
            {"error", {{"code", "UPSTREAM_503"}, {"message", "busy"}, {"retryable", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "failed");
  const json final_job = job(id);
  EXPECT_EQ(final_job["reason"], "attempts_exhausted");
  EXPECT_EQ(final_job["lastError"]["fingerprint"].get<std::string>().rfind("sha256:", 0), 0u);
  const auto events = history(id);
  EXPECT_EQ(count(events, "job.retry_scheduled"), 1u);
  EXPECT_EQ(count(events, "job.failed"), 1u);
  EXPECT_EQ(count(events, "job.dead_lettered"), 1u);
}

TEST_F(SchedulerWorkerTest, NonRetryableErrorGoesStraightToDeadLetter) {
  const std::string id = enqueue({{"type", "ext.perm"}, {"maxAttempts", 5}});
  const json g = claim("ext.perm", 1, 30)[0];
  const Reply r = post(
      "/worker/jobs/" + id + "/complete",
      {{"leaseId", g["leaseId"]},
       {"status", "failed"},
       {"error", {{"code", "PARSE_ERROR"}, {"message", "bad json at 3"}, {"retryable", false}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "failed");
  EXPECT_EQ(job(id)["reason"], "non_retryable");
  EXPECT_EQ(job(id)["lastError"]["class"], "permanent");
  EXPECT_EQ(count(history(id), "job.dead_lettered"), 1u);
}

TEST_F(SchedulerWorkerTest, KilledExternalWorkerLeaseExpiresAndJobCompletesOnce) {
  const std::string worker =
      (std::filesystem::path(engineBinary()).parent_path() / "je_example_worker").string();
  const std::string id = enqueue({{"type", "ext.kill"}});
  const std::string base = "http://127.0.0.1:" + std::to_string(engine_->restPort());
  const CommandResult crashed = runCommand(
      {worker, "--base-url", base, "--tenant", tenant_, "--token", token(), "--job-types",
       "ext.kill", "--worker-id", "doomed", "--lease-seconds", "1", "--crash-after-claim"},
      std::chrono::seconds(60));
  EXPECT_EQ(crashed.exit_code, 137) << crashed.out << crashed.err;
  EXPECT_NE(crashed.out.find("claimed " + id), std::string::npos) << crashed.out;

  const CommandResult healthy =
      runCommand({worker, "--base-url", base, "--tenant", tenant_, "--token", token(),
                  "--job-types", "ext.kill", "--worker-id", "healthy", "--lease-seconds", "30",
                  "--max-jobs", "1", "--idle-exit-ms", "30000"},
                 std::chrono::seconds(90));
  EXPECT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  EXPECT_NE(healthy.out.find("completed " + id + " 200"), std::string::npos) << healthy.out;

  const json done = job(id);
  EXPECT_EQ(done["status"], "succeeded");
  EXPECT_EQ(done["attempts"], 2);
  const auto events = history(id);
  EXPECT_EQ(count(events, "job.succeeded"), 1u);
  EXPECT_EQ(count(events, "job.lease_expired"), 1u);
  EXPECT_EQ(count(events, "job.leased"), 2u);
}

}  // namespace
}  // namespace jobengine::testing
