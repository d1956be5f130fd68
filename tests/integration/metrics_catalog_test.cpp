// What the dashboard and the alert rules stand on: every metric name that
// deploy/grafana/jobengine.json and deploy/prometheus/jobengine.rules.yml reference is in the
// catalog (docs/metrics.md) and is exported by a live engine once it has done the things the
// metric counts. The engine here ingests from the test upstream (documents, observations, an
// upstream bucket, a watermark, a schedule, a malformed document dead-lettered), holds a paused
// quota with a throttled job and a queued job of a type nothing runs, serves a worker whose
// failure is retried, whose second report is stale and whose lease expires, and chains audit
// entries; its cluster gauges refresh every second.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "feed_upstream.hpp"
#include "poll.hpp"
#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = fs::path(JE_SOURCE_DIR);

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// The jobengine_* names a text mentions; a histogram's _bucket/_sum/_count series count as the
// histogram's name.
std::set<std::string> metricNamesIn(const std::string& text) {
  std::set<std::string> names;
  const std::regex name(R"(\bjobengine_[a-z0-9_]+)");
  const std::regex series_suffix("_(bucket|sum|count)$");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    names.insert(std::regex_replace(it->str(), series_suffix, ""));
  }
  return names;
}

// The names a /metrics body exports (from its # TYPE lines).
std::set<std::string> exportedNames(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      names.insert(line.substr(7, line.find(' ', 7) - 7));
    }
  }
  return names;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

std::set<std::string> referencedByDashboardAndRules() {
  const std::string dashboard = readText(kSource / "deploy" / "grafana" / "jobengine.json");
  const json parsed = json::parse(dashboard, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "deploy/grafana/jobengine.json is not JSON";
  std::set<std::string> names = metricNamesIn(dashboard);
  const auto rules =
      metricNamesIn(readText(kSource / "deploy" / "prometheus" / "jobengine.rules.yml"));
  names.insert(rules.begin(), rules.end());
  return names;
}

TEST(MetricsCatalogTest, TheDashboardIsGrafanaJsonWhosePanelsAllQuery) {
  const json dashboard =
      json::parse(readText(kSource / "deploy" / "grafana" / "jobengine.json"), nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_EQ(dashboard.value("uid", ""), "jobengine");
  ASSERT_TRUE(dashboard["panels"].is_array());
  std::set<int> ids;
  int queried = 0;
  for (const auto& panel : dashboard["panels"]) {
    EXPECT_TRUE(ids.insert(panel.value("id", -1)).second) << "duplicate panel id: " << panel.dump();
    if (panel.value("type", "") == "row") {
      continue;
    }
    ASSERT_TRUE(panel["targets"].is_array() && !panel["targets"].empty()) << panel.dump();
    for (const auto& target : panel["targets"]) {
      EXPECT_NE(target.value("expr", "").find("jobengine_"), std::string::npos) << panel.dump();
    }
    ++queried;
  }
  EXPECT_GE(queried, 20);
}

TEST(MetricsCatalogTest, EveryReferencedMetricIsInTheCatalog) {
  const std::set<std::string> catalog = metricNamesIn(readText(kSource / "docs" / "metrics.md"));
  std::set<std::string> missing;
  for (const auto& name : referencedByDashboardAndRules()) {
    if (catalog.count(name) == 0) {
      missing.insert(name);
    }
  }
  EXPECT_TRUE(missing.empty()) << "not in docs/metrics.md: " << joined(missing);
}

class MetricsLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ops_ = new OpsEngine("metrics_catalog",
                         "[plugins.scheduler]\nmetrics_refresh_seconds = 1\n"
                         "[plugins.ratelimit]\nmetrics_refresh_seconds = 1\n"
                         "[plugins.audit]\nmetrics_refresh_seconds = 1\n");
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  Reply call(const std::string& method, const std::string& path, const json& body = json()) {
    auto h = ops_->headers("t1");
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body.is_null() ? "" : body.dump(),
                             h);
  }
  static OpsEngine* ops_;
};
OpsEngine* MetricsLiveTest::ops_ = nullptr;

TEST_F(MetricsLiveTest, EveryReferencedMetricIsExportedByALiveEngine) {
  // Ingestion from the test upstream: one record is malformed (a dead-lettered document), the
  // connector has a schedule and a rate policy.
  FeedUpstream upstream(fs::path(JE_SOURCE_DIR) / "tests" / "fixtures" / "feeds");
  upstream.start();
  upstream.overrideBody("/osv/PyPI/GHSA-4f7q-8m2x-9c3v.json", "{\"id\": \"broken\", ");
  const Reply connector = call(
      "POST", "/concelier/connectors",
      {{"connectorId", "osv-metrics"},
       {"source", "osv"},
       {"baseUri", upstream.url("osv/PyPI/")},
       {"schedule", {{"cron", "0 3 * * *"}}},
       {"ratePolicy", {{"rpm", 6000}, {"burst", 100}, {"cooldownSeconds", 1}}},
       {"egressGuard",
        {{"allowlist", {"127.0.0.1:" + std::to_string(upstream.port())}}, {"airgapMode", false}}}});
  ASSERT_EQ(connector.status, 201) << connector.body;
  const Reply sync =
      call("POST", "/sources/" + connector.json()["sourceId"].get<std::string>() + "/sync", {});
  ASSERT_EQ(sync.status, 202) << sync.body;

  // A job of a type nothing runs stays queued. A paused quota throttles the job a worker
  // claims. A worker's retryable failure schedules a retry, and its second report on the same
  // lease is stale; a one-second lease nobody renews expires.
  ASSERT_EQ(call("POST", "/jobs", {{"type", "metrics.idle"}, {"payload", json::object()}}).status,
            201);
  const Reply quota =
      call("POST", "/quotas",
           {{"jobType", "metrics.limited"}, {"maxActive", 2}, {"maxPerHour", 60}, {"burst", 5}});
  ASSERT_EQ(quota.status, 201) << quota.body;
  ASSERT_EQ(call("POST", "/quotas/" + quota.json()["id"].get<std::string>() + "/pause", {}).status,
            200);
  for (const std::string type : {"metrics.limited", "metrics.retried", "metrics.expiring"}) {
    const Reply r =
        call("POST", "/jobs", {{"type", type}, {"payload", json::object()}, {"maxAttempts", 3}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const auto claim = [&](const std::string& type, int lease_seconds) {
    const Reply r = call("POST", "/worker/claim",
                         {{"jobTypes", {type}},
                          {"maxCount", 1},
                          {"leaseSeconds", lease_seconds},
                          {"workerId", "metrics-worker"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["grants"];
  };
  EXPECT_TRUE(claim("metrics.limited", 60).empty());
  const json retried = claim("metrics.retried", 60);
  ASSERT_EQ(retried.size(), 1U);
  const json failure = {
      {"leaseId", retried[0]["leaseId"]},
      {"status", "failed"},
      {"error", {{"code", "UPSTREAM_503"}, {"message", "busy"}, {"retryable", true}}}};
  const std::string complete =
      "/worker/jobs/" + retried[0]["jobId"].get<std::string>() + "/complete";
  ASSERT_EQ(call("POST", complete, failure).status, 200);
  EXPECT_EQ(call("POST", complete, failure).status, 409);
  ASSERT_EQ(claim("metrics.expiring", 1).size(), 1U);

  const std::set<std::string> wanted = referencedByDashboardAndRules();
  std::set<std::string> missing;
  pollUntil(
      [&] {
        const std::set<std::string> exported = exportedNames(ops_->http().get("/metrics").body);
        missing.clear();
        for (const auto& name : wanted) {
          if (exported.count(name) == 0) {
            missing.insert(name);
          }
        }
        return missing.empty();
      },
      [](bool done) { return done; }, std::chrono::seconds(90));
  EXPECT_TRUE(missing.empty()) << "referenced by the dashboard or the rules but not exported: "
                               << joined(missing);
}

}  // namespace
}  // namespace jobengine::testing
