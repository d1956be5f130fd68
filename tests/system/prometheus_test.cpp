// A real Prometheus (Debian's package) scraping two engine replicas on one database with the
// shipped alerting rules (deploy/prometheus/jobengine.rules.yml): what an operator's Prometheus
// sees. The queue depth of a known backlog arrives through the leader's cluster gauges (summed
// over both replicas it is exact: the other exports 0, docs/metrics.md), and
// JobEngineOldestQueuedJobTooOld fires in Prometheus's own alert state once the backlog is made
// to age (its jobs' created_at moved an hour back). The rules are the shipped ones with every
// `for:` cut to 0s, so the test need not sit through the real 5 minutes.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "http_client.hpp"
#include "poll.hpp"
#include "prometheus_server.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTenant = "t-prom";
constexpr const char* kType = "prom.backlog";

// The shipped rules with every `for:` set to 0s, in a file of the test's own.
fs::path rulesWithoutPendingTime(const fs::path& dir) {
  std::ifstream in(fs::path(JE_SOURCE_DIR) / "deploy" / "prometheus" / "jobengine.rules.yml");
  std::ostringstream text;
  text << in.rdbuf();
  const fs::path out = dir / "jobengine.rules.yml";
  std::ofstream(out) << std::regex_replace(text.str(), std::regex(R"(\bfor: *\S+)"), "for: 0s");
  return out;
}

bool oldestQueuedAlertFiring(const json& alerts) {
  for (const auto& a : alerts) {
    if (a["labels"].value("alertname", "") == "JobEngineOldestQueuedJobTooOld" &&
        a["labels"].value("job_type", "") == kType && a["labels"].value("tenant", "") == kTenant &&
        a.value("state", "") == "firing") {
      return true;
    }
  }
  return false;
}

TEST(PrometheusTest, SeesTheBacklogAndFiresTheOldestQueuedJobAlert) {
  Replicas replicas("prometheus", 2, "[plugins.scheduler]\nmetrics_refresh_seconds = 1\n");
  const std::string token = replicas[0].mintToken(kTenant, "orch:read orch:operate");
  HttpClient http(replicas[0].restPort());
  for (int i = 0; i < 7; ++i) {
    const Reply r =
        http.post("/api/v1/jobengine/jobs", {{"type", kType}, {"payload", json::object()}},
                  {"Authorization: Bearer " + token, std::string("X-StellaOps-Tenant: ") + kTenant,
                   "X-StellaOps-Operator-Reason: prometheus test"});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  const fs::path dir = fs::temp_directory_path() / ("je-prom-rules-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  PrometheusServer prometheus({"127.0.0.1:" + std::to_string(replicas[0].restPort()),
                               "127.0.0.1:" + std::to_string(replicas[1].restPort())},
                              {rulesWithoutPendingTime(dir).string()});

  // Both replicas are scraped (each has answered a scrape); exactly one leads.
  const auto both_up = [](const json& targets) {
    return targets.size() == 2 && std::all_of(targets.begin(), targets.end(), [](const json& t) {
             return t.value("health", "") == "up";
           });
  };
  const json targets =
      pollUntil([&] { return prometheus.targets(); }, both_up, std::chrono::seconds(60));
  ASSERT_TRUE(both_up(targets)) << targets.dump() << "\n" << prometheus.log();
  const double leaders = pollUntil([&] { return prometheus.scalar("jobengine_leader_is_leader"); },
                                   [](double v) { return v == 1; }, std::chrono::seconds(30));
  EXPECT_EQ(leaders, 1);

  const std::string depth = std::string("jobengine_queue_depth{tenant=\"") + kTenant +
                            "\",job_type=\"" + kType + "\",status=\"queued\"}";
  const double seen = pollUntil([&] { return prometheus.scalar(depth); },
                                [](double v) { return v == 7; }, std::chrono::seconds(60));
  ASSERT_EQ(seen, 7) << "targets: " << prometheus.targets().dump() << "\n" << prometheus.log();
  EXPECT_FALSE(oldestQueuedAlertFiring(prometheus.alerts())) << prometheus.alerts().dump();

  // Age the backlog by an hour: the next refresh reports it, and the rule fires.
  {
    pqxx::connection c(replicas.dsn());
    pqxx::work w(c);
    w.exec(std::string("UPDATE scheduler.jobs SET created_at = created_at - interval '1 hour' "
                       "WHERE tenant_id = '") +
           kTenant + "' AND job_type = '" + kType + "'");
    w.commit();
  }
  const json alerts = pollUntil([&] { return prometheus.alerts(); }, oldestQueuedAlertFiring,
                                std::chrono::seconds(60));
  ASSERT_TRUE(oldestQueuedAlertFiring(alerts)) << alerts.dump();
  const double age =
      prometheus.scalar(std::string("max(jobengine_queue_oldest_age_seconds{tenant=\"") + kTenant +
                        "\",job_type=\"" + kType + "\",status=\"queued\"})");
  EXPECT_GE(age, 3600) << age;
  for (const auto& a : alerts) {
    if (a["labels"].value("alertname", "") == "JobEngineOldestQueuedJobTooOld") {
      EXPECT_EQ(a["annotations"].value("runbook", ""),
                "docs/operations.md#jobengineoldestqueuedjobtooold");
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jobengine::testing
