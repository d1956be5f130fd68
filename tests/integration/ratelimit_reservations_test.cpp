// Local reservations of the ratelimit plugin (plugins/ratelimit/docs/reservations.md) on the
// real binary: claims of a quota far from its limits are covered by a block the replica took
// ahead (no lock on the quota), and still never lease more than maxActive; what the blocks
// held comes back when they are released; a paused quota is never bypassed by a block.
#include <chrono>
#include <thread>

#include "pg_fixture.hpp"
#include "pg_query.hpp"
#include "prometheus_text.hpp"
#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class RatelimitReservationsTest : public SchedulerTest {
 protected:
  // reservation_min_block 64: a quota with maxActive 1000 has room for blocks (a quarter of
  // what is left, at least 64) and claims of 50 find them. reservation_seconds 10: a block
  // outlives the few claims a step makes, however loaded the machine (fresh clones run the
  // suite two tests at a time).
  static void SetUpTestSuite() {
    startEngine("rl_reservations",
                "[plugins.ratelimit]\nrecheck_seconds = 1\n"
                "reservation_min_block = 64\nreservation_seconds = 10\n");
  }
  int64_t blocks(const std::string& type) {
    return sqlCount("SELECT count(*) FROM ratelimit.reservations WHERE job_type = '" + type + "'");
  }
  // Claims `step` jobs at a time until a claim was covered by a block (the first claims show
  // demand; the keeper then takes a block): the jobs leased.
  int claimUntilCovered(const std::string& type, int step) {
    const std::string covered =
        "jobengine_ratelimit_claims_total{covered=\"true\",plugin=\"ratelimit\"}";
    const double before = metric(covered);
    int leased = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (metric(covered) <= before && std::chrono::steady_clock::now() < deadline) {
      leased += claimOnce(type, step);
      const auto block_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (blocks(type) == 0 && std::chrono::steady_clock::now() < block_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    EXPECT_GT(metric(covered), before) << "no claim was covered by a reservation";
    return leased;
  }

  void sql(const std::string& statement) {
    const std::string& dsn = engine_->databaseDsn();
    ThrowawayPostgres::instance().execAdmin(dsn.substr(dsn.find("dbname=") + 7), statement);
  }
  // A quota on `type` in this tenant, written directly: `columns` of ratelimit.quotas set to
  // `values` (SQL literals).
  void createQuota(const std::string& type, const std::string& columns, const std::string& values) {
    sql("INSERT INTO ratelimit.quotas (tenant_id, id, job_type, " + columns + ") VALUES ('" +
        tenant_ + "', gen_random_uuid(), '" + type + "', " + values + ")");
  }
  int64_t sqlCount(const std::string& query) {
    const std::string& dsn = engine_->databaseDsn();
    return std::stoll(pgQueryOne(ThrowawayPostgres::instance().port(),
                                 dsn.substr(dsn.find("dbname=") + 7), query));
  }
  void enqueue(const std::string& type, int n) {
    for (int done = 0; done < n; done += 500) {
      json jobs = json::array();
      for (int i = done; i < std::min(n, done + 500); ++i) {
        jobs.push_back({{"type", type}, {"payload", {{"i", i}}}});
      }
      const Reply r = post("/jobs/batch", {{"jobs", jobs}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  int claimOnce(const std::string& type, int max_count) {
    const Reply r = post("/worker/claim", {{"jobTypes", {type}},
                                           {"maxCount", max_count},
                                           {"leaseSeconds", 300},
                                           {"workerId", "rl-res-worker"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return static_cast<int>(r.json().value("grants", json::array()).size());
  }
  double metric(const std::string& series) {
    return metricValue(http_->get("/metrics").body, series);
  }
  int64_t active(const std::string& type) {
    return sqlCount("SELECT count(*) FROM scheduler.jobs WHERE job_type = '" + type +
                    "' AND status IN ('leased', 'running')");
  }
};

TEST_F(RatelimitReservationsTest, BlocksCoverClaimsYetMaxActiveHoldsAndComesBackWhole) {
  const std::string type = "rl.res.max";
  createQuota(type, "max_active", "1000");
  enqueue(type, 1300);
  // Complete nothing: every lease stays active. The first claims show demand; the keeper
  // takes a block (a quarter of what is left: about 237 slots) and covers the next ones.
  int leased = claimUntilCovered(type, 50);
  ASSERT_GT(blocks(type), 0);
  // A claim of 1000 is never covered (more than any block): admission under the lock must count
  // the block's slots as taken, or the claims the block covers next would pass maxActive.
  leased += claimOnce(type, 1000);
  ASSERT_LT(leased, 1000) << "admission handed out the slots a block holds";
  // Claims of 50 now: covered by the block while it lasts, then (once it is released, 10 s
  // old) admitted under the lock. Never more than 1000; in the end all 1000.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (leased < 1000 && std::chrono::steady_clock::now() < deadline) {
    const int got = claimOnce(type, 50);
    leased += got;
    ASSERT_LE(leased, 1000) << "a claim leased past maxActive";
    ASSERT_LE(active(type), 1000);
    if (got < 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_EQ(leased, 1000) << "the quota's slots did not all come back from the blocks";
  EXPECT_EQ(active(type), 1000);
  EXPECT_EQ(claimOnce(type, 50), 0);
  // Idle, the blocks are released: no reservation row is left for the key.
  const auto idle_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (blocks(type) > 0 && std::chrono::steady_clock::now() < idle_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(blocks(type), 0);
}

// The first claim of a busy key is admitted under the quota's lock, and that admission takes
// the key's first block in the same transaction: the block exists when the claim answers, and
// the next claim is covered without waiting for the keeper.
TEST_F(RatelimitReservationsTest, TheFirstAdmissionTakesTheFirstBlock) {
  const std::string type = "rl.res.first";
  createQuota(type, "max_active, max_per_hour", "100000, 100000000");
  enqueue(type, 300);
  const std::string covered =
      "jobengine_ratelimit_claims_total{covered=\"true\",plugin=\"ratelimit\"}";
  const double covered_before = metric(covered);
  ASSERT_EQ(claimOnce(type, 20), 20);
  EXPECT_EQ(blocks(type), 1) << "the admission took no block";
  // A quarter of the room that admission saw (here the tokens the bucket had refilled since
  // the quota was written), at most 16 x reservation_min_block.
  const int64_t slots =
      sqlCount("SELECT slots FROM ratelimit.reservations WHERE job_type = '" + type + "'");
  EXPECT_GE(slots, 64);
  EXPECT_LE(slots, 1024);
  ASSERT_EQ(claimOnce(type, 20), 20);
  EXPECT_GT(metric(covered), covered_before) << "the next claim was not covered by the block";
}

TEST_F(RatelimitReservationsTest, APausedQuotaIsNotBypassedByABlock) {
  const std::string type = "rl.res.pause";
  createQuota(type, "max_active, max_per_hour", "100000, 100000000");
  enqueue(type, 2000);
  claimUntilCovered(type, 20);
  ASSERT_GT(blocks(type), 0);
  // Paused with the block still held: nothing more is leased, and the jobs a claim met are
  // throttled with quota_paused.
  sql("UPDATE ratelimit.quotas SET paused = true WHERE job_type = '" + type + "'");
  EXPECT_EQ(claimOnce(type, 20), 0);
  EXPECT_GT(sqlCount("SELECT count(*) FROM scheduler.jobs WHERE job_type = '" + type +
                     "' AND status = 'throttled' AND reason = 'quota_paused'"),
            0);
}

}  // namespace
}  // namespace jobengine::testing
