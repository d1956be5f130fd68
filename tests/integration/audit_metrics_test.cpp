// Audit metrics on the real binary (docs/metrics.md, "Audit"): the leader's cluster gauges
// jobengine_audit_chain_length{tenant} (the chain head's position: with nothing pruned, the
// number of entries GET /audit lists) and jobengine_audit_newest_entry_age_seconds{tenant}.
// Refresh every second; waits are bounded polls, the age is checked as a bound only.
#include <string>

#include "paging.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class AuditMetricsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() {
    startEngine("audit_metrics", "[plugins.audit]\nmetrics_refresh_seconds = 1\n");
  }
  void SetUp() override {
    SchedulerTest::SetUp();
    tenant_ = "audit-metrics";
  }
  // The number of entries in the tenant's ledger (every page of GET /audit).
  std::size_t entryCount() {
    return allPages([&](const std::string& token) {
             return get("/audit?page_size=500" + (token.empty() ? "" : "&page_token=" + token));
           })
        .size();
  }
};

TEST_F(AuditMetricsTest, ChainLengthAndNewestEntryAgeFollowTheLedger) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(post("/jobs", {{"type", "ext.audit-metrics"}, {"payload", {{"n", i}}}}).status, 201);
  }
  // The appender chains the three job.created events (and nothing else of this tenant).
  const std::size_t entries = pollUntil(
      [&] { return entryCount(); }, [](std::size_t n) { return n >= 3; }, std::chrono::seconds(30));
  ASSERT_GE(entries, 3u);
  const std::string length =
      R"(jobengine_audit_chain_length{plugin="audit",tenant="audit-metrics"})";
  const std::string age =
      R"(jobengine_audit_newest_entry_age_seconds{plugin="audit",tenant="audit-metrics"})";
  const std::string text = pollUntil(
      [&] { return http_->get("/metrics").body; },
      [&](const std::string& t) { return metricValue(t, length) == static_cast<double>(entries); },
      std::chrono::seconds(30));
  EXPECT_EQ(metricValue(text, length), static_cast<double>(entries)) << text;
  EXPECT_NE(text.find("\n" + age + " "), std::string::npos) << text;
  EXPECT_GE(metricValue(text, age), 0) << text;
}

}  // namespace
}  // namespace jobengine::testing
