// Cluster gauges across replicas (docs/metrics.md, "Design: the cluster gauge refresher"): two
// engines on one database; only the leader exports jobengine_queue_depth (the other has no
// such series, or 0), so sum() across replicas is the backlog; when the leader stops, the one
// left leads and exports the same figure. Refresh every second; every wait is a bounded poll.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dev_token.hpp"
#include "http_client.hpp"
#include "poll.hpp"
#include "prometheus_text.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

constexpr std::chrono::seconds kWait{30};
constexpr const char* kDepth =
    R"(jobengine_queue_depth{job_type="ext.mr",plugin="scheduler",status="queued",tenant="mr1"})";

struct Sample {
  double depth[2] = {0, 0};
  double leader[2] = {0, 0};
};

TEST(MetricsReplicasTest, OnlyTheLeaderExportsClusterGaugesAndTheNextLeaderTakesOver) {
  Replicas replicas("metrics_replicas", 2, "[plugins.scheduler]\nmetrics_refresh_seconds = 1\n");
  std::vector<std::unique_ptr<HttpClient>> http;
  for (size_t i = 0; i < replicas.size(); ++i) {
    http.push_back(std::make_unique<HttpClient>(replicas[i].restPort()));
  }
  const std::vector<std::string> headers = {
      "Authorization: Bearer " + devToken("mr1", "orch:read orch:operate"),
      "X-StellaOps-Tenant: mr1", "X-StellaOps-Operator-Reason: system test"};
  for (int i = 0; i < 3; ++i) {
    const Reply r = http[0]->post("/api/v1/jobengine/jobs", {{"type", "ext.mr"}}, headers);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const auto sample = [&](const std::vector<size_t>& which) {
    Sample s;
    for (const size_t i : which) {
      const std::string text = http[i]->get("/metrics").body;
      s.depth[i] = metricValue(text, kDepth);
      s.leader[i] = metricValue(text, "jobengine_leader_is_leader");
    }
    return s;
  };
  Sample s = pollUntil(
      [&] {
        return sample({0, 1});
      },
      [](const Sample& v) {
        return v.depth[0] + v.depth[1] == 3 && v.leader[0] + v.leader[1] == 1;
      },
      kWait);
  ASSERT_EQ(s.leader[0] + s.leader[1], 1);
  const size_t leader = s.leader[0] == 1 ? 0 : 1;
  const size_t other = 1 - leader;
  EXPECT_EQ(s.depth[leader], 3);
  EXPECT_EQ(s.depth[other], 0);  // no series, or 0: sum() is the backlog

  replicas[leader].stop();
  s = pollUntil([&] { return sample({other}); },
                [&](const Sample& v) { return v.leader[other] == 1 && v.depth[other] == 3; },
                kWait);
  EXPECT_EQ(s.leader[other], 1);
  EXPECT_EQ(s.depth[other], 3);
}

}  // namespace
}  // namespace jobengine::testing
