// The supported high-availability setup (issue 13, docs/operations.md "High availability"):
// three engine replicas on a PostgreSQL primary with a synchronous streaming standby, their
// DSN naming both servers with target_session_attrs=read-write. Mid-run the primary's
// postmaster is SIGKILLed and the standby promoted (pg_ctl promote); the engines continue on
// the new primary by themselves within seconds (measured and printed: every replica's /readyz
// 200 again, the first acknowledged enqueue), no acknowledged enqueue is lost (the workload
// retries what was not acknowledged with the same Idempotency-Key, and the database holds
// exactly the acknowledged jobs, each succeeded once), and no acknowledged completion is lost
// (a job seen succeeded before the kill is still succeeded, with the same finishedAt and
// attempts: it was not run again). The engines migrated their schema and created their app
// role on the primary; the standby has them through replication.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "http_client.hpp"
#include "job_workload.hpp"
#include "pg_query.hpp"
#include "replica_probes.hpp"
#include "replicas.hpp"
#include "replicated_postgres.hpp"

namespace jobengine::testing {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kEngineConfig =
    "[plugins.scheduler]\ndefault_lease_seconds = 5\nsweep_interval_ms = 500\n";

TEST(FailoverTest, EnginesContinueOnThePromotedStandbyAndNothingAcknowledgedIsLost) {
  ReplicatedPostgres pg;
  const std::string dsn = pg.createDatabase("failover");
  Replicas replicas("failover", 3, kEngineConfig, dsn);
  JobWorkload load(restPorts(replicas), WorkloadOptions{});
  load.start();
  ASSERT_TRUE(load.awaitAcknowledged(100, seconds(60))) << "only " << load.acknowledged();
  const auto done_before = load.succeededNow(replicas[0].restPort());
  ASSERT_FALSE(done_before.empty()) << "no job succeeded before the failover";

  const auto killed_at = Clock::now();
  pg.killPrimary();
  const long kill_ms = msSince(killed_at);
  pg.promoteStandby();
  const auto promoted_at = Clock::now();
  EXPECT_EQ(pgQueryOne(pg.standby().port(), "failover", "SELECT pg_is_in_recovery()"), "f");

  long slowest = 0;
  for (size_t i = 0; i < replicas.size(); ++i) {
    const long ms = awaitReadyz(replicas[i].restPort(), 200, killed_at, seconds(60));
    EXPECT_NE(ms, -1) << "replica " << i << " not ready 60 s after the failover";
    slowest = std::max(slowest, ms);
  }
  const auto next_ack = load.firstAckAfter(promoted_at);
  ASSERT_TRUE(load.awaitAllAcknowledged(seconds(120))) << "only " << load.acknowledged();
  std::cout << "failover: primary killed (port closed after " << kill_ms << " ms), standby "
            << "promoted " << msSince(killed_at, promoted_at) << " ms after the kill; every "
            << "replica /readyz 200 " << slowest << " ms after the kill; first enqueue "
            << "acknowledged " << msAfter(next_ack, promoted_at) << " after the promotion\n"
            << load.summary() << "\n";

  // Completions acknowledged before the kill survived as they were (not reverted and re-run).
  HttpClient http(replicas[1].restPort());
  const auto headers = load.headers();
  int changed = 0;
  for (const auto& [id, before] : done_before) {
    const nlohmann::json now = http.get("/api/v1/jobengine/jobs/" + id, headers).json();
    if (now.value("status", "") != "succeeded" || now["finishedAt"] != before["finishedAt"] ||
        now["attempts"] != before["attempts"]) {
      if (++changed <= 5) {
        ADD_FAILURE() << "job " << id << " succeeded before the failover, now: " << now.dump()
                      << "\nbefore: " << before.dump();
      }
    }
  }
  EXPECT_EQ(changed, 0) << "of " << done_before.size() << " completions seen before the kill";
  std::cout << done_before.size() << " completions seen before the kill, all still there\n";
  load.verify(replicas[2].restPort(), seconds(60));
}

}  // namespace
}  // namespace jobengine::testing
