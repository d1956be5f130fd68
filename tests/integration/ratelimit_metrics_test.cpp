// Ratelimit (and throttled-job) metrics on the real engine (docs/metrics.md, "Ratelimit"): the
// leader's cluster gauges for a quota (max_active, burst, tokens, active jobs through je.jobs),
// a circuit breaker (1 for its state, 0 for the others, following a reset), an upstream bucket
// (configured and current rate, level), and the scheduler's jobengine_jobs_throttled by reason.
// Breaker, bucket and throttled rows arrive through je.ratelimit in production; here they are
// seeded with SQL as the superuser. Refresh every second; waits are bounded polls.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
using Labels = std::map<std::string, std::string>;

constexpr std::chrono::seconds kWait{30};
constexpr const char* kTenant = "rm1";

class RatelimitMetricsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ops_ = new OpsEngine("ratelimit_metrics",
                         "[plugins.scheduler]\nmetrics_refresh_seconds = 1\n"
                         "[plugins.ratelimit]\nmetrics_refresh_seconds = 1\n");
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  static Reply post(const std::string& path, const json& body) {
    return ops_->http().post(std::string(kApi) + path, body, ops_->headers(kTenant));
  }
  static std::string scrape() { return ops_->http().get("/metrics").body; }
  static std::string series(const std::string& plugin, const std::string& name, Labels labels) {
    labels["plugin"] = plugin;
    labels["tenant"] = kTenant;
    std::string out = "jobengine_" + name + "{";
    for (const auto& [k, v] : labels) {
      out += (out.back() == '{' ? "" : ",") + k + "=\"" + v + "\"";
    }
    return out + "}";
  }
  // Scrapes until every expected series has its value (or the time is up); returns the last.
  static std::string waitFor(const std::map<std::string, double>& expected) {
    return pollUntil([] { return scrape(); },
                     [&](const std::string& text) {
                       for (const auto& [s, v] : expected) {
                         if (metricValue(text, s) != v) {
                           return false;
                         }
                       }
                       return true;
                     },
                     kWait);
  }
};
OpsEngine* RatelimitMetricsTest::ops_ = nullptr;

TEST_F(RatelimitMetricsTest, QuotaGaugesAndThrottledJobsByReason) {
  const Reply q = post(
      "/quotas", {{"jobType", "rm.work"}, {"maxActive", 50}, {"maxPerHour", 36000}, {"burst", 20}});
  ASSERT_EQ(q.status, 201) << q.body;
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(post("/jobs", {{"type", "rm.work"}, {"payload", {{"n", i}}}}).status, 201);
  }
  const Reply claimed =
      post("/worker/claim",
           {{"jobTypes", {"rm.work"}}, {"maxCount", 2}, {"leaseSeconds", 300}, {"workerId", "rm"}});
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  ASSERT_EQ(claimed.json()["grants"].size(), 2u) << claimed.body;
  ops_->sql(
      "UPDATE scheduler.jobs SET status = 'throttled', reason = 'quota_exhausted', "
      "next_eligible_at = now() + interval '1 hour' WHERE id = (SELECT id FROM scheduler.jobs "
      "WHERE tenant_id = 'rm1' AND job_type = 'rm.work' AND status = 'queued' ORDER BY id "
      "LIMIT 1)");

  const Labels type = {{"job_type", "rm.work"}};
  const std::string active = series("ratelimit", "ratelimit_quota_active", type);
  const std::string max_active = series("ratelimit", "ratelimit_quota_max_active", type);
  const std::string burst = series("ratelimit", "ratelimit_quota_burst", type);
  const std::string tokens = series("ratelimit", "ratelimit_quota_tokens", type);
  const std::string throttled = series("scheduler", "jobs_throttled",
                                       {{"job_type", "rm.work"}, {"reason", "quota_exhausted"}});
  const std::string text = waitFor({{active, 2}, {max_active, 50}, {burst, 20}, {throttled, 1}});
  EXPECT_EQ(metricValue(text, active), 2) << text;
  EXPECT_EQ(metricValue(text, max_active), 50) << text;
  EXPECT_EQ(metricValue(text, burst), 20) << text;
  EXPECT_GE(metricValue(text, tokens), 0) << text;
  EXPECT_LE(metricValue(text, tokens), 20) << text;
  EXPECT_EQ(metricValue(text, throttled), 1) << text;
  EXPECT_EQ(metricValue(text, series("scheduler", "queue_depth",
                                     {{"job_type", "rm.work"}, {"status", "throttled"}})),
            1)
      << text;
}

TEST_F(RatelimitMetricsTest, BreakerStateFollowsAResetAndBucketsShowTheirRates) {
  ops_->sql(
      "INSERT INTO ratelimit.breakers (tenant_id, job_type, state, window_slots, opened_until, "
      "changed_at) VALUES ('rm1', 'rm.flaky', 'open', '[]', now() + interval '1 hour', now())");
  ops_->sql(
      "INSERT INTO ratelimit.upstream_buckets (tenant_id, host, rpm, burst, cooldown_seconds, "
      "current_per_s, level, updated_at, cooldown_until) VALUES "
      "('rm1', 'api.osv.dev', 60, 10, 60, 0.5, 2, now(), NULL)");
  const auto state = [](const std::string& s) {
    return series("ratelimit", "ratelimit_breaker_state", {{"job_type", "rm.flaky"}, {"state", s}});
  };
  const auto rate = [](const std::string& kind) {
    return series("ratelimit", "ratelimit_upstream_rate_per_minute",
                  {{"host", "api.osv.dev"}, {"kind", kind}});
  };
  const std::string level =
      series("ratelimit", "ratelimit_upstream_tokens", {{"host", "api.osv.dev"}});
  std::string text = waitFor({{state("open"), 1}, {state("closed"), 0}, {rate("configured"), 60}});
  EXPECT_EQ(metricValue(text, state("open")), 1) << text;
  EXPECT_EQ(metricValue(text, state("closed")), 0) << text;
  EXPECT_EQ(metricValue(text, state("half_open")), 0) << text;
  EXPECT_EQ(metricValue(text, rate("configured")), 60) << text;
  EXPECT_EQ(metricValue(text, rate("current")), 30) << text;
  EXPECT_GE(metricValue(text, level), 2) << text;
  EXPECT_LE(metricValue(text, level), 10) << text;

  const Reply reset = ops_->http().call(
      "POST", std::string(kApi) + "/circuit-breakers/rm.flaky/reset", "", ops_->headers(kTenant));
  ASSERT_EQ(reset.status, 200) << reset.body;
  text = waitFor({{state("open"), 0}, {state("closed"), 1}});
  EXPECT_EQ(metricValue(text, state("open")), 0) << text;
  EXPECT_EQ(metricValue(text, state("closed")), 1) << text;
}

}  // namespace
}  // namespace jobengine::testing
