// Idempotency-Key and the outbox on the real binary (SPEC §5, §6): the key and the change
// commit together. A replay returns the first status and body with Idempotent-Replayed and
// creates nothing; another body under the same key is 422; concurrent duplicates give exactly
// one 201 and one event; a rolled-back request leaves neither event nor key; expired records
// are purged.
#include <gtest/gtest.h>

#include "api_support.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

class ApiIdempotencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new EngineProcess(goodFixtureEngine("apiidem"));
    engine_->start();
    token_ = engine_->mintToken("t1", "orch:read orch:operate");
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  static std::vector<std::string> headers(const std::string& key) {
    std::vector<std::string> more = {"X-StellaOps-Operator-Reason: idempotency test"};
    if (!key.empty()) {
      more.push_back("Idempotency-Key: " + key);
    }
    return authHeaders(token_, "t1", more);
  }
  static long long notes(const std::string& text) {
    return scalar(*engine_,
                  "SELECT count(*) FROM jobengine.events WHERE event_type = "
                  "'fixture.note' AND body->'data'->>'text' = '" +
                      text + "'");
  }
  static long long keys(const std::string& key) {
    return scalar(*engine_,
                  "SELECT count(*) FROM jobengine.idempotency_keys WHERE key = '" + key + "'");
  }
  static EngineProcess* engine_;
  static std::string token_;
};

EngineProcess* ApiIdempotencyTest::engine_ = nullptr;
std::string ApiIdempotencyTest::token_;

TEST_F(ApiIdempotencyTest, ReplayReturnsTheFirstResponseAndCreatesNothing) {
  HttpClient http(engine_->restPort());
  const Reply first = http.post(kNotesPath, {{"text", "replay"}}, headers("k-replay"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  const Reply again = http.post(kNotesPath, {{"text", "replay"}}, headers("k-replay"));
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_NE(again.header("content-type").find("application/json"), std::string::npos);
  EXPECT_EQ(notes("replay"), 1);
  EXPECT_EQ(keys("k-replay"), 1);
  // The stored eventId is the event's.
  const std::string event_id = first.json()["eventId"];
  EXPECT_EQ(scalar(*engine_, "SELECT count(*) FROM jobengine.events WHERE body->>'eventId' = '" +
                                 event_id + "'"),
            1);
}

TEST_F(ApiIdempotencyTest, SameKeyWithAnotherBodyIs422) {
  HttpClient http(engine_->restPort());
  ASSERT_EQ(http.post(kNotesPath, {{"text", "reuse-a"}}, headers("k-reuse")).status, 201);
  const Reply r = http.post(kNotesPath, {{"text", "reuse-b"}}, headers("k-reuse"));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "IDEMPOTENCY_KEY_REUSED") << r.body;
  EXPECT_EQ(notes("reuse-b"), 0);
  // Formatting of the JSON body does not matter.
  const Reply same = http.call("POST", kNotesPath, "{ \"text\" :  \"reuse-a\" }", [] {
    auto h = headers("k-reuse");
    h.emplace_back("Content-Type: application/json");
    return h;
  }());
  EXPECT_EQ(same.status, 201) << same.body;
  EXPECT_EQ(same.header("idempotent-replayed"), "true");
}

TEST_F(ApiIdempotencyTest, ConcurrentDuplicatesCreateExactlyOneEvent) {
  constexpr int kThreads = 6;
  for (int round = 0; round < 3; ++round) {
    const std::string key = "k-race-" + std::to_string(round);
    const std::string text = "race-" + std::to_string(round);
    const auto race = tallyIdempotentRace(
        concurrentRequests(engine_->restPort(), kThreads,
                           [&](HttpClient& http) {
                             return http.post(kNotesPath, {{"text", text}}, headers(key));
                           }),
        201);
    for (const Reply& r : race.unexpected) {
      ADD_FAILURE() << r.status << " " << r.body;
    }
    EXPECT_EQ(race.created, 1) << "replayed " << race.replayed << ", in flight " << race.in_flight;
    EXPECT_EQ(race.created + race.replayed + race.in_flight, kThreads);
    EXPECT_EQ(notes(text), 1);
    EXPECT_EQ(keys(key), 1);
  }
}

TEST_F(ApiIdempotencyTest, RolledBackRequestLeavesNoEventAndNoKey) {
  HttpClient http(engine_->restPort());
  const Reply r = http.post(kNotesPath + "?fail=1", {{"text", "rolled-back"}}, headers("k-fail"));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(notes("rolled-back"), 0);
  EXPECT_EQ(keys("k-fail"), 0);
  // Without a key too.
  EXPECT_EQ(http.post(kNotesPath + "?fail=1", {{"text", "rolled-back"}}, headers("")).status, 500);
  EXPECT_EQ(notes("rolled-back"), 0);
  // The key is still free: the same key now succeeds.
  EXPECT_EQ(http.post(kNotesPath + "?fail=1", {{"text", "rolled-back"}}, headers("k-fail")).status,
            500);
  const Reply ok = http.post(kNotesPath, {{"text", "after-failure"}}, headers("k-fail"));
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(notes("after-failure"), 1);
}

TEST_F(ApiIdempotencyTest, CommittedRequestsAlwaysHaveTheirEvent) {
  HttpClient http(engine_->restPort());
  for (int i = 0; i < 10; ++i) {
    const std::string text = "committed-" + std::to_string(i);
    const Reply r =
        http.post(kNotesPath, {{"text", text}}, headers(i % 2 == 0 ? "" : "k-c" + text));
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(notes(text), 1);
  }
}

TEST_F(ApiIdempotencyTest, InvalidKeyIs400) {
  HttpClient http(engine_->restPort());
  const Reply r = http.post(kNotesPath, {{"text", "bad-key"}}, headers(std::string(256, 'k')));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(notes("bad-key"), 0);
}

TEST_F(ApiIdempotencyTest, ExpiredRecordsArePurgedAndTheKeyIsFreeAgain) {
  HttpClient http(engine_->restPort());
  ASSERT_EQ(http.post(kNotesPath, {{"text", "old-a"}}, headers("k-old")).status, 201);
  execSql(*engine_,
          "UPDATE jobengine.idempotency_keys SET expires_at = now() - interval '1 hour' "
          "WHERE key = 'k-old'");
  execSql(*engine_,
          "INSERT INTO jobengine.idempotency_keys (tenant_id, key, method, path, request_hash, "
          "status, body, expires_at) VALUES ('t1', 'k-stale', 'POST', '/x', 'h', 201, '{}', "
          "now() - interval '2 days')");
  // Expired: the same key with another body is a new request, not a 422.
  const Reply r = http.post(kNotesPath, {{"text", "old-b"}}, headers("k-old"));
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("idempotent-replayed"), "");
  EXPECT_EQ(notes("old-b"), 1);
  // Writing a record purged the tenant's other expired ones.
  EXPECT_EQ(keys("k-stale"), 0);
  EXPECT_EQ(scalar(*engine_,
                   "SELECT count(*) FROM jobengine.idempotency_keys WHERE key = "
                   "'k-old' AND expires_at > now() + interval '23 hours'"),
            1);
}

}  // namespace
}  // namespace jobengine::testing
