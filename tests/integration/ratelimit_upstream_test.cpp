// je.ratelimit acquire / report as a source adapter uses them (SPEC §3 upstream buckets), on
// the real binary: the jobs-fixture plugin relays to the service (its upstream routes), and
// GET /ratelimit/buckets shows what an operator sees. No policy denies egress; a policy grants
// its burst then paces; a 429 empties the bucket for Retry-After and halves the rate; successes
// after the cool-down bring it back to the configured rate.
#include <jobengine/time_format.hpp>

#include <chrono>
#include <thread>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class RatelimitUpstreamTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("rl_upstream", "[plugins.jobs-fixture]\n"); }

  json acquire(const std::string& host, const json& policy) {
    const Reply r = post("/jobs-fixture/upstream/acquire", {{"host", host}, {"policy", policy}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  void report(const std::string& host, int status, const json& retry_after = nullptr) {
    const Reply r = post("/jobs-fixture/upstream/report",
                         {{"host", host}, {"status", status}, {"retryAfterSeconds", retry_after}});
    EXPECT_EQ(r.status, 200) << r.body;
  }
  json bucket(const std::string& host) {
    const json page = get("/ratelimit/buckets").json();
    for (const auto& b : page.value("buckets", json::array())) {
      if (b.value("host", "") == host) {
        return b;
      }
    }
    return nullptr;
  }
};

TEST_F(RatelimitUpstreamTest, NoPolicyDeniesEgress) {
  const json a = acquire("nopolicy.example", nullptr);
  EXPECT_FALSE(a["granted"].get<bool>());
  EXPECT_EQ(a["reason"], "no_policy");
  EXPECT_TRUE(bucket("nopolicy.example").is_null());  // nothing was created
}

TEST_F(RatelimitUpstreamTest, ABurstThenOneRequestPerInterval) {
  // One token a minute: a loaded machine (a CI run with four tests at once) cannot let a token
  // refill between the three calls, so the test does not depend on how fast they come.
  const json policy = {{"rpm", 1}, {"burst", 2}, {"cooldownSeconds", 30}};
  EXPECT_TRUE(acquire("paced.example", policy)["granted"].get<bool>());
  EXPECT_TRUE(acquire("paced.example", policy)["granted"].get<bool>());
  const auto before = std::chrono::system_clock::now();
  const json third = acquire("paced.example", policy);
  ASSERT_FALSE(third["granted"].get<bool>()) << third.dump();
  EXPECT_EQ(third["reason"], "rate_limited");
  const auto retry = sdk::parseRfc3339(third["retryAt"].get<std::string>());
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(*retry, before);
  EXPECT_LE(*retry, before + std::chrono::seconds(61));  // the next token: within a minute
  const json b = bucket("paced.example");
  EXPECT_EQ(b["rpm"], 1);
  EXPECT_EQ(b["burst"], 2);
}

TEST_F(RatelimitUpstreamTest, A429CoolsDownHalvesTheRateAndSuccessesRestoreIt) {
  const json policy = {{"rpm", 120}, {"burst", 5}, {"cooldownSeconds", 30}};
  ASSERT_TRUE(acquire("fragile.example", policy)["granted"].get<bool>());
  const auto before = std::chrono::system_clock::now();
  report("fragile.example", 429, 1);  // Retry-After: 1 s wins over the 30 s cool-down
  const json denied = acquire("fragile.example", policy);
  EXPECT_FALSE(denied["granted"].get<bool>());
  EXPECT_EQ(denied["reason"], "cooldown");
  const auto retry = sdk::parseRfc3339(denied["retryAt"].get<std::string>());
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(*retry, before + std::chrono::seconds(1));
  EXPECT_LE(*retry, before + std::chrono::seconds(3));
  json b = bucket("fragile.example");
  EXPECT_DOUBLE_EQ(b["currentPerMinute"].get<double>(), 60.0);  // halved
  EXPECT_FALSE(b["cooldownUntil"].is_null());
  // After the cool-down each success adds a tenth of the configured rate, up to it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (int i = 0; i < 7; ++i) {
    report("fragile.example", 200);
  }
  b = bucket("fragile.example");
  EXPECT_DOUBLE_EQ(b["currentPerMinute"].get<double>(), 120.0);
  EXPECT_TRUE(acquire("fragile.example", policy)["granted"].get<bool>());
}

TEST_F(RatelimitUpstreamTest, AnotherTenantHasItsOwnBucket) {
  // One token a minute: the second acquire is refused however long the first one took.
  const json policy = {{"rpm", 1}, {"burst", 1}, {"cooldownSeconds", 30}};
  EXPECT_TRUE(acquire("shared.example", policy)["granted"].get<bool>());
  EXPECT_FALSE(acquire("shared.example", policy)["granted"].get<bool>());
  tenant_ = "tenant-b";
  EXPECT_TRUE(acquire("shared.example", policy)["granted"].get<bool>());
}

}  // namespace
}  // namespace jobengine::testing
