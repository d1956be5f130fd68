// Three engine replicas on one database while the database fails under them (issue 13, DESIGN
// §6, docs/operations.md "When the database fails"): a JobWorkload enqueues 300 jobs
// round-robin over the replicas and retries what was not acknowledged with the same
// Idempotency-Key; the runners run them meanwhile.
//   1. Every backend of the engines' database is killed (pg_terminate_backend), three times
//      during the run: pools, LISTEN connections, the leader session and the sweeper reconnect
//      by themselves.
//   2. The database is stopped (pg_ctl stop -m fast): every replica answers GET /readyz 503
//      within seconds; it is started again on the same port: /readyz 200 again without any
//      engine being restarted.
// Either way every acknowledged job succeeds exactly once (one job.succeeded event) and no job
// exists that was not acknowledged. Leases are 5 s here (default 60 s) so that the jobs whose
// completion was lost with a connection are swept and run again within the test's time.
// Measured figures are printed, not asserted; deadlines are generous.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "job_workload.hpp"
#include "pg_fixture.hpp"
#include "pg_query.hpp"
#include "replica_probes.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kEngineConfig =
    "[plugins.scheduler]\ndefault_lease_seconds = 5\nsweep_interval_ms = 500\n";

TEST(DatabaseFailuresTest, KilledConnectionsAreReplacedAndNothingIsLost) {
  const std::string db = "db_conn_kill";
  Replicas replicas(db, 3, kEngineConfig);
  JobWorkload load(restPorts(replicas), WorkloadOptions{});
  load.start();
  const int port = ThrowawayPostgres::instance().port();
  for (const int at : {75, 150, 225}) {
    ASSERT_TRUE(load.awaitAcknowledged(at, seconds(60))) << "only " << load.acknowledged();
    const auto killed_at = Clock::now();
    const std::string killed = pgQueryOne(
        port, "postgres",
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + db +
            "' AND pid <> pg_backend_pid()");
    EXPECT_NE(killed, "0");
    // Every replica is ready again: its pool replaced the dead connections.
    for (size_t i = 0; i < replicas.size(); ++i) {
      const long ms = awaitReadyz(replicas[i].restPort(), 200, killed_at, seconds(30));
      EXPECT_NE(ms, -1) << "replica " << i << " not ready 30 s after its connections were killed";
    }
    std::cout << "killed " << killed << " backends at " << at << " acknowledged enqueues; "
              << "every replica /readyz 200 after " << msSince(killed_at) << " ms\n";
  }
  ASSERT_TRUE(load.awaitAllAcknowledged(seconds(120))) << "only " << load.acknowledged();
  std::cout << load.summary() << "\n";
  load.verify(replicas[0].restPort(), seconds(60));
}

TEST(DatabaseFailuresTest, ADatabaseRestartIs503ThenTheReplicasReconnectOnTheSamePort) {
  Replicas replicas("db_restart", 3, kEngineConfig);
  JobWorkload load(restPorts(replicas), WorkloadOptions{});
  load.start();
  ASSERT_TRUE(load.awaitAcknowledged(100, seconds(60))) << "only " << load.acknowledged();

  pgcluster::PgCluster& cluster = ThrowawayPostgres::instance().cluster();
  const int port = cluster.port();
  const auto stopped_at = Clock::now();
  cluster.stop();  // pg_ctl stop -m fast: sessions are terminated, the port closes
  for (size_t i = 0; i < replicas.size(); ++i) {
    const long ms = awaitReadyz(replicas[i].restPort(), 503, stopped_at, seconds(30));
    EXPECT_NE(ms, -1) << "replica " << i << " still answers /readyz 200 30 s after the stop";
    std::cout << "replica " << i << ": /readyz 503 " << ms << " ms after the stop\n";
  }
  // Down for a while: the workload's enqueues fail (503 or no answer) and are retried.
  std::this_thread::sleep_for(seconds(2));
  const int acked_while_down = load.acknowledged();

  const auto started_at = Clock::now();
  cluster.start();
  EXPECT_EQ(cluster.port(), port) << "the restarted database moved: the engines' DSN is stale";
  long slowest = 0;
  for (size_t i = 0; i < replicas.size(); ++i) {
    const long ms = awaitReadyz(replicas[i].restPort(), 200, started_at, seconds(60));
    EXPECT_NE(ms, -1) << "replica " << i << " not ready 60 s after the database came back";
    slowest = std::max(slowest, ms);
  }
  const auto next_ack = load.firstAckAfter(started_at);
  ASSERT_TRUE(load.awaitAllAcknowledged(seconds(120))) << "only " << load.acknowledged();
  std::cout << "database down " << msSince(stopped_at, started_at) << " ms (" << acked_while_down
            << " enqueues acknowledged by then); after the start: "
            << "every replica /readyz 200 within " << slowest << " ms, first enqueue acknowledged "
            << msAfter(next_ack, started_at) << "\n";
  std::cout << load.summary() << "\n";
  EXPECT_GT(load.retries(), 0) << "no enqueue ever failed: was the database really down?";
  load.verify(replicas[0].restPort(), seconds(60));
}

}  // namespace
}  // namespace jobengine::testing
