// Scheduler metrics on the real binary (docs/metrics.md, "Scheduler"): the leader's cluster
// gauges jobengine_queue_depth / jobengine_queue_oldest_age_seconds against a known backlog
// (one job backdated by a known amount in the database, some leased), their return to 0 when
// the backlog drains (not left at a stale value), open dead letters by class, the watermark
// age of a source by its name, and the per-replica counter
// jobengine_scheduler_retries_scheduled_total. The engine refreshes every
// second (metrics_refresh_seconds = 1); waits are bounded polls, ages are lower bounds only.
#include <map>
#include <string>

#include "pg_fixture.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
using Labels = std::map<std::string, std::string>;

constexpr std::chrono::seconds kWait{30};

class SchedulerMetricsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("sched_metrics", "metrics_refresh_seconds = 1\n"); }

  void SetUp() override {
    SchedulerTest::SetUp();
    tenant_ = "tenant-metrics";
  }

  std::string scrape() { return http_->get("/metrics").body; }

  // The series as the engine writes it: labels sorted by name, the plugin label included.
  static std::string series(const std::string& name, Labels labels) {
    labels["plugin"] = "scheduler";
    std::string out = "jobengine_" + name + "{";
    for (const auto& [k, v] : labels) {
      out += (out.back() == '{' ? "" : ",") + k + "=\"" + v + "\"";
    }
    return out + "}";
  }
  static bool present(const std::string& exposition, const std::string& series_text) {
    return exposition.rfind(series_text + " ", 0) == 0 ||
           exposition.find("\n" + series_text + " ") != std::string::npos;
  }
  Labels queue(const std::string& type, const std::string& status) const {
    return {{"tenant", tenant_}, {"job_type", type}, {"status", status}};
  }
  std::string enqueue(const json& body) {
    const Reply r = post("/jobs", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  // SQL as the superuser on the engine's database (seeding rows other paths own).
  static void sql(const std::string& statement) {
    const std::string& dsn = engine_->databaseDsn();
    ThrowawayPostgres::instance().execAdmin(dsn.substr(dsn.find("dbname=") + 7), statement);
  }
  static void backdate(const std::string& job_id, int seconds) {
    sql("UPDATE scheduler.jobs SET created_at = now() - interval '" + std::to_string(seconds) +
        " seconds' WHERE id = '" + job_id + "'");
  }
  void completeAll(const json& grants, const std::string& status) {
    json completions = json::array();
    for (const auto& g : grants) {
      completions.push_back({{"jobId", g["jobId"]}, {"leaseId", g["leaseId"]}, {"status", status}});
    }
    const Reply r = post("/worker/complete", {{"completions", completions}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
};

TEST_F(SchedulerMetricsTest, QueueDepthAndOldestAgeFollowAKnownBacklogAndDrainToZero) {
  const std::string type = "ext.metrics";
  // Five queued; the oldest (600 s, by its created_at) has the lowest priority, so the claim
  // below leases two of the others and leaves it queued.
  const std::string oldest = enqueue({{"type", type}, {"priority", 0}});
  for (int i = 0; i < 4; ++i) {
    enqueue({{"type", type}, {"priority", 5}});
  }
  backdate(oldest, 600);
  const json leased = claim(type, 2, 300, 2);
  ASSERT_EQ(leased.size(), 2u) << leased.dump();

  const std::string depth_queued = series("queue_depth", queue(type, "queued"));
  const std::string depth_leased = series("queue_depth", queue(type, "leased"));
  const std::string age_queued = series("queue_oldest_age_seconds", queue(type, "queued"));
  const std::string age_leased = series("queue_oldest_age_seconds", queue(type, "leased"));
  std::string text =
      pollUntil([&] { return scrape(); },
                [&](const std::string& t) {
                  return metricValue(t, depth_queued) == 3 && metricValue(t, depth_leased) == 2;
                },
                kWait);
  EXPECT_EQ(metricValue(text, depth_queued), 3) << text;
  EXPECT_EQ(metricValue(text, depth_leased), 2) << text;
  EXPECT_GE(metricValue(text, age_queued), 600) << text;
  EXPECT_TRUE(present(text, age_leased)) << text;
  EXPECT_LT(metricValue(text, age_leased), 600) << text;  // the backdated job is not leased
  EXPECT_EQ(metricValue(text, "jobengine_leader_is_leader"), 1) << text;
  EXPECT_GT(metricValue(text, series("metrics_refresh_timestamp_seconds", {})), 0) << text;

  // Drain: lease the rest and complete all five. Every series is then written as 0.
  json rest = claim(type, 3, 300, 3);
  ASSERT_EQ(rest.size(), 3u) << rest.dump();
  completeAll(leased, "succeeded");
  completeAll(rest, "succeeded");
  text = pollUntil([&] { return scrape(); },
                   [&](const std::string& t) {
                     return present(t, depth_queued) && metricValue(t, depth_queued) == 0 &&
                            metricValue(t, depth_leased) == 0;
                   },
                   kWait);
  for (const auto& s : {depth_queued, depth_leased, age_queued, age_leased}) {
    EXPECT_TRUE(present(text, s)) << s << "\n" << text;
    EXPECT_EQ(metricValue(text, s), 0) << s << "\n" << text;
  }
}

TEST_F(SchedulerMetricsTest, RetriesAndDeadLettersAreCountedByTenantTypeAndClass) {
  const std::string retry_id =
      enqueue({{"type", "ext.metrics-retry"}, {"maxAttempts", 3}, {"backoffBaseMs", 60000}});
  json g = claim("ext.metrics-retry", 1, 30)[0];
  Reply r = post("/worker/jobs/" + retry_id + "/complete",
                 {{"leaseId", g["leaseId"]},
                  {"status", "failed"},
                  {"error", {{"code", "UPSTREAM_503"}, {"message", "busy"}, {"retryable", true}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["status"], "queued") << r.body;

  const std::string perm_id = enqueue({{"type", "ext.metrics-perm"}});
  g = claim("ext.metrics-perm", 1, 30)[0];
  r = post("/worker/jobs/" + perm_id + "/complete",
           {{"leaseId", g["leaseId"]},
            {"status", "failed"},
            {"error", {{"code", "PARSE_ERROR"}, {"message", "bad"}, {"retryable", false}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["status"], "failed") << r.body;

  const std::string retries = series("scheduler_retries_scheduled_total",
                                     {{"tenant", tenant_}, {"job_type", "ext.metrics-retry"}});
  const std::string dead = series("dead_letters", {{"tenant", tenant_}, {"class", "permanent"}});
  const std::string text =
      pollUntil([&] { return scrape(); },
                [&](const std::string& t) { return metricValue(t, dead) >= 1; }, kWait);
  EXPECT_EQ(metricValue(text, retries), 1) << text;
  EXPECT_EQ(metricValue(text, dead), 1) << text;
  // The retried job waits out its back-off as queued: it is in the depth gauge.
  EXPECT_EQ(metricValue(text, series("queue_depth", queue("ext.metrics-retry", "queued"))), 1)
      << text;
}

TEST_F(SchedulerMetricsTest, WatermarkAgeIsBySourceName) {
  // A source whose newest watermark (of two scopes) is an hour old.
  const std::string source = "0190b1a2-0000-7000-8000-00000000a001";
  sql("INSERT INTO scheduler.sources (tenant_id, id, name, kind) VALUES ('tenant-metrics', '" +
      source + "', 'metrics:feed', 'test')");
  sql("INSERT INTO scheduler.watermarks (tenant_id, source_id, scope, watermark) VALUES "
      "('tenant-metrics', '" +
      source + "', 'a', now() - interval '3600 seconds'), ('tenant-metrics', '" + source +
      "', 'b', now() - interval '7200 seconds')");
  const std::string age =
      series("source_watermark_age_seconds", {{"tenant", tenant_}, {"source", "metrics:feed"}});
  const std::string text = pollUntil([&] { return scrape(); },
                                     [&](const std::string& t) { return present(t, age); }, kWait);
  EXPECT_GE(metricValue(text, age), 3600) << text;
  EXPECT_LT(metricValue(text, age), 7200) << text;  // the newest scope's, not the oldest's
}

}  // namespace
}  // namespace jobengine::testing
