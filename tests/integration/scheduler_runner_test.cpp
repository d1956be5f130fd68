// The in-process runner with a plugin-provided handler, on the real binary: the jobs-fixture
// plugin registers "jobs-fixture.work" through je.jobs v1 (per-type defaults: 2 attempts,
// 1 ms backoff) and enqueues through je.jobs inside its route's transaction. Success with
// progress (leased -> running), a retryable failure retried then dead-lettered, and a
// non-retryable failure dead-lettered at once. The fixture registers through the SDK's
// jobengine/jobs.hpp, and GET /plugins lists its job types with their mode.
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class SchedulerRunnerTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("sched_runner", "[plugins.jobs-fixture]\n"); }

  std::string enqueue(const std::string& mode) {
    const Reply r =
        post("/jobs-fixture/enqueue",
             {{"jobs", {{{"type", "jobs-fixture.work"}, {"payload", {{"mode", mode}}}}}}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["jobs"][0]["id"].get<std::string>();
  }
  // The value of a metric with one series on /metrics (0 when absent).
  double metric(const std::string& name) { return metricValue(http_->get("/metrics").body, name); }
  static bool terminal(const json& j) {
    const std::string s = j.value("status", "");
    return s == "succeeded" || s == "failed" || s == "timed_out" || s == "canceled";
  }
};

TEST_F(SchedulerRunnerTest, HandlerSucceedsWithProgress) {
  const std::string id = enqueue("ok");
  const json done = waitJob(id, terminal);
  EXPECT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["maxAttempts"], 2);  // the type's default, not the plugin's
  EXPECT_EQ(history(id), (std::vector<std::string>{"job.created", "job.leased", "job.started",
                                                   "job.progress", "job.succeeded"}));
}

// Jobs claimed together still run on separate workers: a slow handler does not hold up the
// jobs leased with it. The fixture's slow handler reports the most slow handlers it saw
// running at once; the old one-thread-per-claimed-batch runner ran these one after another
// (peak=1 for each).
TEST_F(SchedulerRunnerTest, JobsClaimedTogetherRunConcurrently) {
  json jobs = json::array();
  for (int i = 0; i < 3; ++i) {
    jobs.push_back({{"type", "jobs-fixture.work"}, {"payload", {{"mode", "slow"}, {"i", i}}}});
  }
  const Reply r = post("/jobs-fixture/enqueue", {{"jobs", jobs}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json enqueued = r.json();  // not a temporary: the loop below refers into it
  std::string peaks;
  for (const auto& j : enqueued["jobs"]) {
    const json done = waitJob(j["id"].get<std::string>(), terminal);
    ASSERT_EQ(done["status"], "succeeded") << done.dump();
    peaks += done["progressMessage"].get<std::string>() + " ";
  }
  EXPECT_NE(peaks.find("peak=3"), std::string::npos)
      << "the three slow handlers never ran at once: " << peaks;
}

// An enqueue that finds idle workers in its replica leases the job to them inside its own
// transaction (the hand-off, docs/queries.md): no claim round trip, and still the usual
// history. The counter tells that this path, not a claimer, leased it.
TEST_F(SchedulerRunnerTest, EnqueueHandsTheJobToAnIdleWorker) {
  const double before = metric("jobengine_scheduler_jobs_handed_off_total");
  const std::string id = enqueue("ok");
  EXPECT_EQ(waitJob(id, terminal)["status"], "succeeded");
  EXPECT_EQ(history(id), (std::vector<std::string>{"job.created", "job.leased", "job.started",
                                                   "job.progress", "job.succeeded"}));
  EXPECT_EQ(metric("jobengine_scheduler_jobs_handed_off_total"), before + 1);
}

TEST_F(SchedulerRunnerTest, RetryableFailureIsRetriedThenDeadLettered) {
  const std::string id = enqueue("fail");
  const json done = waitJob(id, terminal);
  EXPECT_EQ(done["status"], "failed") << done.dump();
  EXPECT_EQ(done["attempts"], 2);
  EXPECT_EQ(done["reason"], "attempts_exhausted");
  EXPECT_EQ(done["lastError"]["code"], "UPSTREAM_UNAVAILABLE");
  const auto events = history(id);
  EXPECT_EQ(count(events, "job.retry_scheduled"), 1u);
  EXPECT_EQ(count(events, "job.dead_lettered"), 1u);
}

TEST_F(SchedulerRunnerTest, NonRetryableFailureIsDeadLetteredAtOnce) {
  const std::string id = enqueue("permanent");
  const json done = waitJob(id, terminal);
  EXPECT_EQ(done["status"], "failed") << done.dump();
  EXPECT_EQ(done["attempts"], 1);
  EXPECT_EQ(done["reason"], "non_retryable");
  EXPECT_EQ(done["lastError"]["class"], "permanent");
  EXPECT_EQ(count(history(id), "job.dead_lettered"), 1u);
}

TEST_F(SchedulerRunnerTest, PluginsListTheJobTypesTheirOwnersRegistered) {
  const Reply r = get("/plugins");
  ASSERT_EQ(r.status, 200) << r.body;
  json fixture;
  json scheduler;
  const json body = r.json();  // keep the document alive while iterating
  for (const auto& p : body["plugins"]) {
    if (p["id"] == "jobs-fixture") {
      fixture = p;
    }
    if (p["id"] == "scheduler") {
      scheduler = p;
    }
  }
  ASSERT_TRUE(fixture.is_object()) << r.body;
  EXPECT_EQ(fixture["jobTypes"], json::parse(R"([
      {"type": "jobs-fixture.work", "mode": "in-process"},
      {"type": "jobs-fixture.external", "mode": "external"}])"));
  // The provider does not own what others registered with it.
  EXPECT_EQ(scheduler["jobTypes"], json::array()) << scheduler.dump();
}

}  // namespace
}  // namespace jobengine::testing
