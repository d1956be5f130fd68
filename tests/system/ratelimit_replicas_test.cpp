// Two engine replicas on one database, each with the ratelimit plugin, and external workers
// claiming through both replicas' worker bridges at once (SPEC §3: "all limits hold across any
// number of host replicas"):
//  * maxActive = 5 on a busy job type: sampled every few milliseconds throughout, the type never
//    has more than 5 jobs leased or running, and it does reach 5 (the limit was the bound);
//  * maxPerHour = 36000 (10 per second), burst 5: over a 20 s window the admitted rate is within
//    ±5 % of the configured one.
// Limits are seeded as quota rows by the superuser; counts are read by the superuser too (the
// test observes the scheduler's tables; the engine never crosses plugin tables).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "engine_process.hpp"
#include "http_client.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

constexpr const char* kTenant = "limited";

class Workers {
 public:
  Workers(Replicas& replicas, std::string type, int per_replica, int hold_ms)
      : type_(std::move(type)) {
    for (EngineProcess* e : {&replicas[0], &replicas[1]}) {
      const std::vector<std::string> headers{
          "Authorization: Bearer " + e->mintToken(kTenant, "orch:read orch:operate"),
          "X-StellaOps-Tenant: " + std::string(kTenant),
          "X-StellaOps-Operator-Reason: system test"};
      for (int i = 0; i < per_replica; ++i) {
        threads_.emplace_back([this, port = e->restPort(), headers, hold_ms, i] {
          run(port, headers, hold_ms, "w" + std::to_string(port) + "-" + std::to_string(i));
        });
      }
    }
  }
  ~Workers() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }
  int errors() const { return errors_; }

 private:
  void run(uint16_t port, const std::vector<std::string>& headers, int hold_ms,
           const std::string& worker) {
    HttpClient http(port);
    while (!stop_) {
      const Reply r = http.post(
          "/api/v1/jobengine/worker/claim",
          {{"jobTypes", {type_}}, {"maxCount", 3}, {"leaseSeconds", 60}, {"workerId", worker}},
          headers);
      if (r.status != 200) {
        ++errors_;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      const json body = r.json();
      const json grants = body.value("grants", json::array());
      if (grants.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
      for (const auto& g : grants) {
        const Reply c = http.post(
            "/api/v1/jobengine/worker/jobs/" + g["jobId"].get<std::string>() + "/complete",
            {{"leaseId", g["leaseId"]}, {"status", "succeeded"}}, headers);
        if (c.status != 200) {
          ++errors_;
        }
      }
    }
  }

  std::string type_;
  std::atomic<bool> stop_{false};
  std::atomic<int> errors_{0};
  std::vector<std::thread> threads_;
};

int64_t scalar(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  const auto v = tx.exec1(sql)[0].as<int64_t>();
  tx.commit();
  return v;
}

void enqueue(EngineProcess& e, const std::string& type, int n) {
  HttpClient http(e.restPort());
  const std::vector<std::string> headers{
      "Authorization: Bearer " + e.mintToken(kTenant, "orch:read orch:operate"),
      "X-StellaOps-Tenant: " + std::string(kTenant), "X-StellaOps-Operator-Reason: system test"};
  for (int done = 0; done < n; done += 500) {
    json jobs = json::array();
    for (int i = done; i < std::min(n, done + 500); ++i) {
      jobs.push_back({{"type", type}, {"payload", {{"i", i}}}});
    }
    const Reply r = http.post("/api/v1/jobengine/jobs/batch", {{"jobs", jobs}}, headers);
    ASSERT_EQ(r.status, 201) << r.body;
  }
}

TEST(RatelimitReplicasTest, MaxActiveHoldsAcrossReplicasUnderLoad) {
  Replicas replicas("rl_active_replicas", 2, "[plugins.ratelimit]\nrecheck_seconds = 1\n");
  pqxx::connection db(replicas.dsn());
  const std::string type = "rl.busy";
  scalar(db,
         "WITH q AS (INSERT INTO ratelimit.quotas (tenant_id, id, job_type, max_active) "
         "VALUES ('" +
             std::string(kTenant) + "', gen_random_uuid(), '" + type +
             "', 5) RETURNING 1) SELECT count(*) FROM q");
  enqueue(replicas[0], type, 400);
  Workers workers(replicas, type, 4, 30);  // 8 workers, 3 jobs per claim: 24 would fit
  int64_t max_seen = 0;
  int64_t samples = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < until) {
    max_seen = std::max(max_seen, scalar(db,
                                         "SELECT count(*) FROM scheduler.jobs WHERE job_type "
                                         "= '" +
                                             type +
                                             "' AND status IN ('leased', "
                                             "'running')"));
    ++samples;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  workers.stop();
  const int64_t done = scalar(db, "SELECT count(*) FROM scheduler.jobs WHERE job_type = '" + type +
                                      "' AND status = 'succeeded'");
  std::cout << samples << " samples, most active at once " << max_seen << ", " << done
            << " jobs succeeded\n";
  EXPECT_EQ(workers.errors(), 0);
  EXPECT_LE(max_seen, 5);
  EXPECT_EQ(max_seen, 5) << "the limit was never reached: the test did not load it";
  EXPECT_GT(done, 20);
}

TEST(RatelimitReplicasTest, MaxPerHourAdmitsTheConfiguredRateAcrossReplicas) {
  Replicas replicas("rl_rate_replicas", 2);
  pqxx::connection db(replicas.dsn());
  const std::string type = "rl.paced";
  scalar(db,
         "WITH q AS (INSERT INTO ratelimit.quotas (tenant_id, id, job_type, max_per_hour, "
         "burst, tokens) VALUES ('" +
             std::string(kTenant) + "', gen_random_uuid(), '" + type +
             "', 36000, 5, 5) RETURNING 1) SELECT count(*) FROM q");
  enqueue(replicas[0], type, 600);
  Workers workers(replicas, type, 3, 0);
  const std::string leased =
      "SELECT count(*) FROM scheduler.jobs WHERE job_type = '" + type + "' AND attempts > 0";
  std::this_thread::sleep_for(std::chrono::seconds(3));  // past the burst, into the steady rate
  const int64_t t0 = scalar(db, "SELECT (extract(epoch FROM clock_timestamp()) * 1e6)::bigint");
  const int64_t c0 = scalar(db, leased);
  std::this_thread::sleep_for(std::chrono::seconds(20));
  const int64_t c1 = scalar(db, leased);
  const int64_t t1 = scalar(db, "SELECT (extract(epoch FROM clock_timestamp()) * 1e6)::bigint");
  workers.stop();
  const double seconds = static_cast<double>(t1 - t0) / 1e6;
  const double rate = static_cast<double>(c1 - c0) / seconds;
  std::cout << (c1 - c0) << " jobs admitted in " << seconds << " s: " << rate
            << " per second (configured 10)\n";
  EXPECT_EQ(workers.errors(), 0);
  EXPECT_NEAR(rate, 10.0, 0.5);
}

}  // namespace
}  // namespace jobengine::testing
