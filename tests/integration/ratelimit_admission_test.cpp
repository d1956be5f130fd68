// Admission through je.ratelimit on the real binary (scheduler + ratelimit plugins, real
// PostgreSQL, real HTTP): every lease asks the ratelimit plugin first, and a refused job becomes
// `throttled` with the honest reason and its own nextEligibleAt, then runs when eligible (SPEC
// §2–§3). Limits are seeded as rows of the ratelimit plugin's tables by the superuser (the
// operator routes have their own test); everything else goes through the public API. Each test
// uses its own job type, so they share one engine.
#include <jobengine/time_format.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "pg_fixture.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class RatelimitAdmissionTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() {
    startEngine("rl_admission",
                "[plugins.ratelimit]\nrecheck_seconds = 1\nbreaker_min_completions = 4\n"
                "breaker_open_seconds = 8\nbreaker_half_open_probes = 1\noutcome_flush_ms = 50\n");
  }

  void sql(const std::string& statement) {
    const std::string& dsn = engine_->databaseDsn();
    ThrowawayPostgres::instance().execAdmin(dsn.substr(dsn.find("dbname=") + 7), statement);
  }
  void quota(const std::string& type, const std::string& limits) {
    sql("INSERT INTO ratelimit.quotas (tenant_id, id, job_type, " +
        limits.substr(0, limits.find('|')) + ") VALUES ('" + tenant_ + "', gen_random_uuid(), '" +
        type + "', " + limits.substr(limits.find('|') + 1) + ")");
  }
  std::vector<std::string> enqueue(const std::string& type, int n) {
    json jobs = json::array();
    for (int i = 0; i < n; ++i) {
      jobs.push_back({{"type", type}, {"payload", {{"i", i}}}});
    }
    const Reply r = post("/jobs/batch", {{"jobs", jobs}});
    EXPECT_EQ(r.status, 201) << r.body;
    std::vector<std::string> ids;
    const json body = r.json();  // keep the document alive while iterating
    for (const auto& j : body["jobs"]) {
      ids.push_back(j["id"].get<std::string>());
    }
    return ids;
  }
  // One claim of up to max_count jobs of type (no retrying): the grants.
  json claimOnce(const std::string& type, int max_count) {
    const Reply r = post("/worker/claim", {{"jobTypes", {type}},
                                           {"maxCount", max_count},
                                           {"leaseSeconds", 60},
                                           {"workerId", "rl-worker"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    return body.value("grants", json::array());
  }
  void complete(const json& grant, const std::string& status) {
    json body = {{"leaseId", grant["leaseId"]}, {"status", status}};
    if (status == "failed") {
      body["error"] = {{"code", "UPSTREAM"}, {"message", "boom"}, {"retryable", false}};
    }
    const Reply r = post("/worker/jobs/" + grant["jobId"].get<std::string>() + "/complete", body);
    EXPECT_EQ(r.status, 200) << r.body;
  }
  // Polls GET /events until one of `type` shows up (10 s).
  bool waitEvent(const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      const json page = get("/events?page_size=500").json();
      for (const auto& e : page.value("items", json::array())) {
        if (e.value("eventType", "") == type) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // The jobs of `ids` in each status.
  // The job's first job.throttled event (null if it has none). The job's status is no witness:
  // the leader releases a throttled job at its nextEligibleAt (a second here), possibly before
  // a slow test reads it; the history keeps the refusal, its reason and its nextEligibleAt.
  json firstThrottled(const std::string& id) {
    const Reply r = get("/jobs/" + id + "/history");
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& e : body["items"]) {
      if (e["eventType"] == "job.throttled") {
        return e;
      }
    }
    return nullptr;
  }
  std::map<std::string, int> statuses(const std::vector<std::string>& ids) {
    std::map<std::string, int> out;
    for (const auto& id : ids) {
      ++out[job(id)["status"].get<std::string>()];
    }
    return out;
  }
};

TEST_F(RatelimitAdmissionTest, MaxActiveLeasesOnlyThatManyAndThrottlesTheRestHonestly) {
  quota("rl.active", "max_active|2");
  const auto ids = enqueue("rl.active", 5);
  const json grants = claimOnce("rl.active", 5);
  ASSERT_EQ(grants.size(), 2U) << grants.dump();
  const auto before = std::chrono::system_clock::now();
  int throttled = 0;
  for (const auto& id : ids) {
    const json e = firstThrottled(id);
    if (!e.is_null()) {
      ++throttled;
      EXPECT_EQ(e["job"]["reason"], "quota_exhausted") << e.dump();
      const auto next = sdk::parseRfc3339(e["data"]["nextEligibleAt"].get<std::string>());
      ASSERT_TRUE(next.has_value()) << e.dump();
      EXPECT_LE(*next, before + std::chrono::seconds(2)) << e.dump();  // recheck_seconds = 1
    }
  }
  EXPECT_EQ(throttled, 3) << job(ids[4]).dump() << "\n" << job(ids[0]).dump();
  // A second claim while both slots are taken leases nothing.
  EXPECT_EQ(claimOnce("rl.active", 5).size(), 0U);
  // One finishes: the throttled come back when eligible and exactly one more is leased.
  complete(grants[0], "succeeded");
  const json more = claim("rl.active", 5, 60, 1);
  EXPECT_EQ(more.size(), 1U) << more.dump();
  EXPECT_EQ(statuses(ids)["leased"], 2);
  size_t throttle_events = 0;
  for (const auto& id : ids) {
    throttle_events += count(history(id), "job.throttled");
  }
  EXPECT_GE(throttle_events, 3U);  // each refused job's transition is in its history
}

TEST_F(RatelimitAdmissionTest, MaxPerHourSpreadsTheRefusedAtTheRefillRate) {
  // 3600 per hour = one token a second, burst 2: two now, the others one second apart.
  quota("rl.rate", "max_per_hour, burst, tokens|3600, 2, 2");
  const auto ids = enqueue("rl.rate", 5);
  const json grants = claimOnce("rl.rate", 5);
  ASSERT_EQ(grants.size(), 2U) << grants.dump();
  std::vector<std::chrono::system_clock::time_point> next;
  for (const auto& id : ids) {
    const json e = firstThrottled(id);
    if (!e.is_null()) {
      EXPECT_EQ(e["job"]["reason"], "rate_limited") << e.dump();
      next.push_back(*sdk::parseRfc3339(e["data"]["nextEligibleAt"].get<std::string>()));
    }
  }
  ASSERT_EQ(next.size(), 3U);
  std::sort(next.begin(), next.end());
  for (size_t i = 1; i < next.size(); ++i) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(next[i] - next[i - 1]);
    EXPECT_NEAR(static_cast<double>(gap.count()), 1000.0, 5.0);
  }
  // They run when eligible: all five are leased within a few seconds, never faster than the rate.
  const json rest = claim("rl.rate", 5, 60, 3);
  EXPECT_EQ(rest.size(), 3U);
}

TEST_F(RatelimitAdmissionTest, PausedQuotaAndPausedTypeAreNeverLeased) {
  quota("rl.paused", "paused|true");
  sql("INSERT INTO ratelimit.throttles (tenant_id, id, target_kind, target, action, reason, "
      "expires_at) VALUES ('" +
      tenant_ +
      "', gen_random_uuid(), 'job_type', 'rl.held', 'pause', "
      "'maintenance', now() + interval '1 hour')");
  const auto paused = enqueue("rl.paused", 2);
  const auto held = enqueue("rl.held", 2);
  EXPECT_EQ(claimOnce("rl.paused", 5).size(), 0U);
  EXPECT_EQ(claimOnce("rl.held", 5).size(), 0U);
  for (const auto& id : paused) {
    EXPECT_EQ(firstThrottled(id)["job"]["reason"], "quota_paused") << job(id).dump();
  }
  for (const auto& id : held) {
    EXPECT_EQ(firstThrottled(id)["job"]["reason"], "throttled") << job(id).dump();
  }
}

TEST_F(RatelimitAdmissionTest, APausedSourcesJobsAreNotLeased) {
  const Reply source = post("/sources", {{"name", "rl:paused-source"}, {"kind", "concelier"}});
  ASSERT_EQ(source.status, 201) << source.body;
  const std::string source_id = source.json()["id"].get<std::string>();
  ASSERT_EQ(post("/sources/" + source_id + "/pause", json::object()).status, 200);
  const Reply r = post("/jobs", {{"type", "rl.sourced"}, {"sourceId", source_id}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json()["id"].get<std::string>();
  const Reply other = post("/jobs", {{"type", "rl.sourced"}});  // no source: not held
  ASSERT_EQ(other.status, 201) << other.body;
  const json grants = claimOnce("rl.sourced", 5);
  ASSERT_EQ(grants.size(), 1U) << grants.dump();
  EXPECT_EQ(grants[0]["jobId"], other.json()["id"]);
  EXPECT_EQ(firstThrottled(id)["job"]["reason"], "source_paused") << job(id).dump();
}

TEST_F(RatelimitAdmissionTest, BacklogLimitAnswers429WithRetryAfterAndWritesNothing) {
  quota("rl.backlog", "backlog_limit|3");
  enqueue("rl.backlog", 3);
  const Reply r = post("/jobs/batch", {{"jobs", {{{"type", "rl.backlog"}}}}});
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "BACKLOG_LIMIT");
  EXPECT_EQ(r.json()["error"]["details"]["limit"], 3);
  EXPECT_EQ(r.header("retry-after"), "5");
  const Reply single = post("/jobs", {{"type", "rl.backlog"}});
  EXPECT_EQ(single.status, 429) << single.body;
  const Reply list = get("/jobs?type=rl.backlog");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["items"].size(), 3U);  // nothing of the refused requests was written
}

TEST_F(RatelimitAdmissionTest, FailuresOpenTheBreakerWhichRefusesThenProbesAndCloses) {
  enqueue("rl.breaker", 4);
  const json first = claim("rl.breaker", 4, 60, 4);
  ASSERT_EQ(first.size(), 4U);
  for (const auto& g : first) {
    complete(g, "failed");  // 4 of 4 failed: >= 50 % of >= 4 completions
  }
  // The folded outcomes are written within outcome_flush_ms, with circuit.opened.
  ASSERT_TRUE(waitEvent("circuit.opened"));
  const auto ids = enqueue("rl.breaker", 4);
  EXPECT_EQ(claimOnce("rl.breaker", 4).size(), 0U);
  for (const auto& id : ids) {
    const json e = firstThrottled(id);
    ASSERT_FALSE(e.is_null()) << job(id).dump();
    EXPECT_EQ(e["job"]["reason"], "circuit_open") << e.dump();
  }
  // (breaker_open_seconds is 8 so that a slow sanitized run still claims inside the open
  // window above.) After breaker_open_seconds one probe goes through; its success closes the
  // breaker and the others run.
  const json probe = claim("rl.breaker", 4, 60, 1);
  ASSERT_EQ(probe.size(), 1U) << probe.dump();
  complete(probe[0], "succeeded");
  ASSERT_TRUE(waitEvent("circuit.closed"));
  const json rest = claim("rl.breaker", 4, 60, 3);
  EXPECT_EQ(rest.size(), 3U) << rest.dump();
}

// Successes of a closed breaker are written in bulk (core/outcome_flush.hpp): none is lost. The
// ones folded when a failure comes are written with it, and successes alone arrive too, within
// the quiet interval.
TEST_F(RatelimitAdmissionTest, HeldBackSuccessesAreWrittenWithTheNextFailureAndOnTheirOwn) {
  const auto window = [&]() -> std::pair<int, int> {
    const json list = get("/circuit-breakers").json();
    for (const auto& b : list.value("breakers", json::array())) {
      if (b["key"] == "rl.quiet") {
        return {b["completions"].get<int>(), b["failures"].get<int>()};
      }
    }
    return {0, 0};
  };
  const auto waitWindow = [&](std::pair<int, int> want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (window() != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return window();
  };
  enqueue("rl.quiet", 4);
  const json grants = claim("rl.quiet", 4, 60, 4);
  ASSERT_EQ(grants.size(), 4U) << grants.dump();
  complete(grants[0], "succeeded");  // a breaker never written here: written at the next flush
  EXPECT_EQ(waitWindow({1, 0}), std::make_pair(1, 0));
  complete(grants[1], "succeeded");  // closed, only successes: may wait for the quiet interval
  complete(grants[2], "failed");     // due at once, with the success folded before it
  EXPECT_EQ(waitWindow({3, 1}), std::make_pair(3, 1));
  complete(grants[3], "succeeded");  // on its own: written within the quiet interval
  EXPECT_EQ(waitWindow({4, 1}), std::make_pair(4, 1));
}

}  // namespace
}  // namespace jobengine::testing
