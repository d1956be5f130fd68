// Cluster gauges across replicas (docs/metrics.md, "Design: the cluster gauge refresher"): two
// engines on one database; only the leader exports jobengine_queue_depth (the other has no
// such series, or 0), so sum() across replicas is the backlog; when the leader stops, the one
// left leads and exports the same figure; a leader deposed while it keeps running (its
// leadership session terminated until the other replica wins) writes its series as 0.
// Refresh every second; every wait is a bounded poll.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <pqxx/pqxx>

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

// host/src/leader/leader_store.hpp: kLeaderLockKey ("JobLead").
constexpr int64_t kLeaderLockKey = 0x4A6F624C656164;

struct Sample {
  double depth[2] = {0, 0};
  double leader[2] = {0, 0};
};

class TwoReplicas {
 public:
  TwoReplicas()
      : replicas_("metrics_replicas", 2, "[plugins.scheduler]\nmetrics_refresh_seconds = 1\n") {
    for (size_t i = 0; i < replicas_.size(); ++i) {
      http_.push_back(std::make_unique<HttpClient>(replicas_[i].restPort()));
    }
  }
  Replicas& replicas() { return replicas_; }
  void enqueue(int n) {
    const std::vector<std::string> headers = {
        "Authorization: Bearer " + devToken("mr1", "orch:read orch:operate"),
        "X-StellaOps-Tenant: mr1", "X-StellaOps-Operator-Reason: system test"};
    for (int i = 0; i < n; ++i) {
      const Reply r = http_[0]->post("/api/v1/jobengine/jobs", {{"type", "ext.mr"}}, headers);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  Sample sample(const std::vector<size_t>& which) {
    Sample s;
    for (const size_t i : which) {
      const std::string text = http_[i]->get("/metrics").body;
      s.depth[i] = metricValue(text, kDepth);
      s.leader[i] = metricValue(text, "jobengine_leader_is_leader");
    }
    return s;
  }
  // The highest leadership epoch either replica reports (a non-leader reports 0).
  double epoch() {
    double e = 0;
    for (const auto& h : http_) {
      e = std::max(e, metricValue(h->get("/metrics").body, "jobengine_leader_epoch"));
    }
    return e;
  }
  bool exported(size_t i) {
    return http_[i]->get("/metrics").body.find(kDepth) != std::string::npos;
  }
  // Waits until exactly one replica leads and exports the whole backlog; returns its index.
  size_t awaitLeaderExporting(double depth) {
    const Sample s = pollUntil(
        [&] {
          return sample({0, 1});
        },
        [&](const Sample& v) {
          return v.leader[0] + v.leader[1] == 1 && v.depth[0] + v.depth[1] == depth &&
                 (v.leader[0] == 1 ? v.depth[0] : v.depth[1]) == depth;
        },
        kWait);
    EXPECT_EQ(s.leader[0] + s.leader[1], 1);
    EXPECT_EQ(s.depth[0] + s.depth[1], depth);
    return s.leader[0] == 1 ? 0 : 1;
  }
  // Ends the leadership lock holder's database session (the leader steps down).
  void terminateLeaderSession() {
    const std::string key = std::to_string(kLeaderLockKey);
    pqxx::connection c(replicas_.dsn());
    pqxx::nontransaction n(c);
    n.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objsubid = 1 AND classid = (" +
        key + "::bigint >> 32)::oid AND objid = (" + key + "::bigint & 4294967295)::oid");
  }

 private:
  Replicas replicas_;
  std::vector<std::unique_ptr<HttpClient>> http_;
};

TEST(MetricsReplicasTest, OnlyTheLeaderExportsClusterGaugesAndTheNextLeaderTakesOver) {
  TwoReplicas r;
  r.enqueue(3);
  const size_t leader = r.awaitLeaderExporting(3);
  const size_t other = 1 - leader;
  EXPECT_EQ(r.sample({other}).depth[other], 0);  // no series, or 0: sum() is the backlog

  r.replicas()[leader].stop();
  const Sample s = pollUntil(
      [&] { return r.sample({other}); },
      [&](const Sample& v) { return v.leader[other] == 1 && v.depth[other] == 3; }, kWait);
  EXPECT_EQ(s.leader[other], 1);
  EXPECT_EQ(s.depth[other], 3);
}

TEST(MetricsReplicasTest, ADeposedLeaderWritesItsClusterSeriesAsZero) {
  TwoReplicas r;
  r.enqueue(2);
  const size_t first = r.awaitLeaderExporting(2);
  // Terminate the leader's session until the other replica wins the election (either may).
  size_t now_leading = first;
  for (int attempt = 0; attempt < 10 && now_leading == first; ++attempt) {
    const double before = r.epoch();
    r.terminateLeaderSession();
    // An election happened once a replica holds a higher epoch.
    pollUntil([&] { return r.epoch(); }, [&](double e) { return e > before; }, kWait);
    now_leading = r.awaitLeaderExporting(2);
  }
  ASSERT_NE(now_leading, first) << "leadership never moved";
  // The deposed replica still runs and still has the series, at 0.
  const Sample s = pollUntil(
      [&] {
        return r.sample({0, 1});
      },
      [&](const Sample& v) { return v.depth[first] == 0; }, kWait);
  EXPECT_TRUE(r.exported(first));
  EXPECT_EQ(s.depth[first], 0);
  EXPECT_EQ(s.depth[now_leading], 2);
  EXPECT_EQ(s.leader[first], 0);
}

}  // namespace
}  // namespace jobengine::testing
