// The ratelimit plugin's operator routes on the real engine (SPEC §3, §5, §5.1, §6): quotas
// (CRUD, ETag / If-None-Match / If-Match with 304, 412 and 428, duplicates, pause and resume,
// the summary with job counts through je.jobs), throttles (reason, ticket and subject stored,
// the ticket required, validation, expiry), circuit breakers (list with window counts, reset
// and its circuit.closed event), upstream buckets, pagination, and tenant isolation. Every
// change's event is read back through GET /events; every reply is checked against the live
// OpenAPI document by the test HttpClient. Breaker and bucket rows arrive through the
// je.ratelimit service in production; here they are seeded with SQL as the superuser.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class RatelimitRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("ratelimit_routes");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  static Reply call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::vector<std::string>& extra = {},
                    const std::string& tenant = "t1") {
    auto h = ops_->headers(tenant, extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
  static Reply post(const std::string& path, const json& body, const std::string& tenant = "t1") {
    return call("POST", path, body.dump(), {}, tenant);
  }
  static Reply get(const std::string& path, const std::string& tenant = "t1") {
    return call("GET", path, "", {}, tenant);
  }

  static json createQuota(const json& body, const std::string& tenant = "t1") {
    const Reply r = post("/quotas", body, tenant);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  // The tenant's events of one type, from the host's GET /events.
  static json events(const std::string& type, const std::string& tenant = "t1") {
    json out = json::array();
    std::string page;
    do {
      const Reply r =
          get("/events?page_size=500" + (page.empty() ? "" : "&page_token=" + page), tenant);
      EXPECT_EQ(r.status, 200) << r.body;
      const json body = r.json();
      for (const auto& e : body["items"]) {
        if (e["eventType"] == type) {
          out.push_back(e);
        }
      }
      page = body.value("nextPageToken", "");
    } while (!page.empty());
    return out;
  }
  // Events of `type` whose data.<object>.id is `id`.
  static size_t eventCount(const std::string& type, const std::string& object,
                           const std::string& id) {
    const json all = events(type);
    return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const json& e) {
      return e.contains("data") && e["data"].contains(object) && e["data"][object]["id"] == id;
    }));
  }
};
OpsEngine* RatelimitRoutesTest::ops_ = nullptr;

TEST_F(RatelimitRoutesTest, QuotaCreateGetListWithEtags) {
  const Reply created =
      post("/quotas", {{"jobType", "rl.crud"}, {"maxActive", 4}, {"maxPerHour", 120}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json q = created.json();
  EXPECT_EQ(q["version"], 1);
  EXPECT_EQ(q["burst"], 120);  // defaults to maxPerHour
  EXPECT_TRUE(q["backlogLimit"].is_null());
  EXPECT_EQ(q["paused"], false);
  EXPECT_EQ(created.header("etag"), "\"v1\"");
  const std::string id = q["id"];
  EXPECT_EQ(created.header("location"), std::string(kApi) + "/quotas/" + id);
  // A new bucket starts full.
  EXPECT_TRUE(ops_->holds("(SELECT tokens FROM ratelimit.quotas WHERE id = '" + id + "') = 120"));

  const Reply dup = post("/quotas", {{"jobType", "rl.crud"}, {"maxActive", 1}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(dup.json()["error"]["code"], "QUOTA_EXISTS");
  EXPECT_EQ(dup.json()["error"]["details"]["existingId"], id);

  const Reply got = get("/quotas/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.header("etag"), "\"v1\"");
  EXPECT_EQ(got.json(), q);
  const Reply not_modified = call("GET", "/quotas/" + id, "", {"If-None-Match: \"v1\""});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.header("etag"), "\"v1\"");
  EXPECT_EQ(call("GET", "/quotas/" + id, "", {"If-None-Match: \"v9\""}).status, 200);

  const Reply list = get("/quotas");
  ASSERT_EQ(list.status, 200) << list.body;
  const json listed = list.json();
  EXPECT_TRUE(std::any_of(listed["quotas"].begin(), listed["quotas"].end(), [&](const json& x) {
    return x["id"] == id;
  })) << list.body;
  EXPECT_EQ(eventCount("quota.created", "quota", id), 1u);
}

TEST_F(RatelimitRoutesTest, QuotaPutNeedsIfMatchAndDeleteHonoursIt) {
  const json q = createQuota({{"jobType", "rl.put"}, {"maxPerHour", 3600}, {"burst", 10}});
  const std::string id = q["id"];
  const std::string body = R"({"maxActive":2,"maxPerHour":3600,"burst":4})";

  const Reply missing = call("PUT", "/quotas/" + id, body);
  EXPECT_EQ(missing.status, 428) << missing.body;
  EXPECT_EQ(missing.json()["error"]["code"], "PRECONDITION_REQUIRED");
  const Reply stale = call("PUT", "/quotas/" + id, body, {"If-Match: \"v7\""});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.json()["error"]["code"], "PRECONDITION_FAILED");
  EXPECT_TRUE(ops_->holds("(SELECT version FROM ratelimit.quotas WHERE id = '" + id + "') = 1"));

  const Reply put = call("PUT", "/quotas/" + id, body, {"If-Match: \"v1\""});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["version"], 2);
  EXPECT_EQ(put.header("etag"), "\"v2\"");
  EXPECT_EQ(put.json()["maxActive"], 2);
  EXPECT_EQ(put.json()["burst"], 4);
  // The full bucket (10) keeps its level, capped to the new burst.
  EXPECT_TRUE(ops_->holds("(SELECT tokens FROM ratelimit.quotas WHERE id = '" + id + "') = 4"));

  // Replace: an absent limit is no longer enforced; a bad combination is 422 with the field.
  const Reply cleared = call("PUT", "/quotas/" + id, R"({"maxActive":3})", {"If-Match: \"v2\""});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json()["maxPerHour"].is_null());
  EXPECT_TRUE(cleared.json()["burst"].is_null());
  const Reply orphan =
      call("PUT", "/quotas/" + id, R"({"maxActive":3,"burst":5})", {"If-Match: \"v3\""});
  EXPECT_EQ(orphan.status, 422) << orphan.body;
  EXPECT_EQ(orphan.json()["error"]["details"]["field"], "burst");
  const Reply typo = call("PUT", "/quotas/" + id, R"({"maxActiv":3})", {"If-Match: \"v3\""});
  EXPECT_EQ(typo.status, 422) << typo.body;

  EXPECT_EQ(call("DELETE", "/quotas/" + id, "", {"If-Match: \"v1\""}).status, 412);
  EXPECT_EQ(call("DELETE", "/quotas/" + id, "", {"If-Match: \"v3\""}).status, 204);
  const Reply gone = get("/quotas/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(gone.json()["error"]["details"]["id"], id);
  EXPECT_EQ(eventCount("quota.updated", "quota", id), 2u);
  EXPECT_EQ(eventCount("quota.deleted", "quota", id), 1u);
}

TEST_F(RatelimitRoutesTest, QuotaValidationAndBadIds) {
  const Reply none = post("/quotas", {{"jobType", "rl.none"}});
  EXPECT_EQ(none.status, 422) << none.body;
  EXPECT_EQ(none.json()["error"]["code"], "VALIDATION_FAILED");
  EXPECT_EQ(none.json()["error"]["details"]["field"], "maxActive");
  const Reply orphan = post("/quotas", {{"jobType", "rl.none"}, {"maxActive", 1}, {"burst", 3}});
  EXPECT_EQ(orphan.status, 422) << orphan.body;
  EXPECT_EQ(orphan.json()["error"]["details"]["field"], "burst");
  const Reply negative = post("/quotas", {{"jobType", "rl.none"}, {"maxActive", -1}});
  EXPECT_EQ(negative.status, 422) << negative.body;
  const Reply unknown = post("/quotas", {{"jobType", "rl.none"}, {"maxActive", 1}, {"x", 1}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_TRUE(
      ops_->holds("NOT EXISTS (SELECT 1 FROM ratelimit.quotas WHERE job_type = 'rl.none')"));

  for (const std::string bad : {"not-a-uuid", "0193A4F0-1E2D-7C3B-8A9F-0E1D2C3B4A59"}) {
    const Reply r = get("/quotas/" + bad);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND");
    EXPECT_EQ(call("PUT", "/quotas/" + bad, R"({"maxActive":1})", {"If-Match: *"}).status, 404);
    EXPECT_EQ(call("DELETE", "/quotas/" + bad).status, 404);
    EXPECT_EQ(call("POST", "/quotas/" + bad + "/pause").status, 404);
    EXPECT_EQ(call("DELETE", "/throttles/" + bad).status, 404);
  }
  const Reply token = get("/quotas?page_token=garbage");
  EXPECT_EQ(token.status, 400) << token.body;
  EXPECT_EQ(get("/quotas?page_size=0").status, 400);
}

TEST_F(RatelimitRoutesTest, QuotaPauseResumeAreIdempotentWithOneEventEach) {
  const json q = createQuota({{"jobType", "rl.pause"}, {"maxActive", 5}});
  const std::string id = q["id"];
  const Reply paused = call("POST", "/quotas/" + id + "/pause");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json()["paused"], true);
  EXPECT_EQ(paused.json()["pauseReason"], "integration test");  // the operator reason
  EXPECT_EQ(paused.json()["version"], 2);
  EXPECT_EQ(paused.header("etag"), "\"v2\"");
  const Reply again = call("POST", "/quotas/" + id + "/pause");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["version"], 2);
  EXPECT_EQ(call("POST", "/quotas/" + id + "/resume", "", {"If-Match: \"v1\""}).status, 412);

  const Reply resumed = call("POST", "/quotas/" + id + "/resume", "", {"If-Match: \"v2\""});
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  EXPECT_EQ(resumed.json()["paused"], false);
  EXPECT_TRUE(resumed.json()["pauseReason"].is_null());
  EXPECT_EQ(resumed.json()["version"], 3);
  EXPECT_EQ(call("POST", "/quotas/" + id + "/resume").json()["version"], 3);

  const json paused_events = events("quota.paused");
  size_t mine = 0;
  for (const auto& e : paused_events) {
    if (e["data"]["quota"]["id"] == id) {
      ++mine;
      EXPECT_EQ(e["operator"]["reason"], "integration test") << e.dump();
      EXPECT_EQ(e["data"]["quota"]["paused"], true);
    }
  }
  EXPECT_EQ(mine, 1u);
  EXPECT_EQ(eventCount("quota.resumed", "quota", id), 1u);

  // A quota may be created paused, with no limit at all.
  const Reply created_paused = post("/quotas", {{"jobType", "rl.paused"}, {"paused", true}});
  ASSERT_EQ(created_paused.status, 201) << created_paused.body;
  EXPECT_EQ(created_paused.json()["pauseReason"], "integration test");
}

TEST_F(RatelimitRoutesTest, SummaryCountsJobsThroughJeJobsAndShowsTheBucket) {
  // Generous limits, so that admission (once claims pass through je.ratelimit) admits them.
  const json q = createQuota({{"jobType", "rl.sum"}, {"maxActive", 100}, {"maxPerHour", 36000}});
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const Reply r = post("/jobs", {{"type", "rl.sum"}, {"payload", {{"n", i}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"]);
  }
  const Reply claimed = post(
      "/worker/claim",
      {{"jobTypes", {"rl.sum"}}, {"maxCount", 2}, {"leaseSeconds", 300}, {"workerId", "rl-test"}});
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  ASSERT_EQ(claimed.json()["grants"].size(), 2u) << claimed.body;
  // One of the two still queued becomes throttled (admission's job; seeded here).
  ops_->sql(
      "UPDATE scheduler.jobs SET status = 'throttled', reason = 'quota_exhausted', "
      "next_eligible_at = now() + interval '1 hour' WHERE id = (SELECT id FROM scheduler.jobs "
      "WHERE tenant_id = 't1' AND job_type = 'rl.sum' AND status = 'queued' ORDER BY id LIMIT 1)");
  // A second quota whose bucket is half a token short (1 token/s): the next token is < 1 s away.
  const json slow = createQuota({{"jobType", "rl.sum.slow"}, {"maxPerHour", 3600}, {"burst", 2}});
  ops_->sql("UPDATE ratelimit.quotas SET tokens = 0.5, tokens_at = now() WHERE id = '" +
            slow["id"].get<std::string>() + "'");

  const Reply r = get("/quotas/summary");
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = r.json();
  json sum;
  json short_one;
  for (const auto& item : body["quotas"]) {
    if (item["jobType"] == "rl.sum") {
      sum = item;
    }
    if (item["jobType"] == "rl.sum.slow") {
      short_one = item;
    }
  }
  ASSERT_TRUE(sum.is_object()) << r.body;
  EXPECT_EQ(sum["id"], q["id"]);
  EXPECT_EQ(sum["active"], 2);
  EXPECT_EQ(sum["throttledBacklog"], 1);
  EXPECT_EQ(sum["maxActive"], 100);
  EXPECT_EQ(sum["burst"], 36000);
  EXPECT_GE(sum["level"].get<double>(), 35990.0);  // full, less what admission may have taken
  EXPECT_TRUE(sum["nextTokenAt"].is_null());
  EXPECT_TRUE(sum["secondsUntilNextToken"].is_null());

  ASSERT_TRUE(short_one.is_object()) << r.body;
  EXPECT_EQ(short_one["active"], 0);
  EXPECT_LT(short_one["level"].get<double>(), 1.0);
  ASSERT_TRUE(short_one["nextTokenAt"].is_string()) << r.body;
  const double wait = short_one["secondsUntilNextToken"].get<double>();
  EXPECT_GT(wait, 0.0);
  EXPECT_LE(wait, 0.5);
  // Summary order is by job type.
  std::vector<std::string> types;
  for (const auto& item : body["quotas"]) {
    types.push_back(item["jobType"]);
  }
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end())) << r.body;
}

TEST_F(RatelimitRoutesTest, ThrottlesCreateListDeleteWithReasonAndTicket) {
  const Reply cap = post("/throttles", {{"targetKind", "jobType"},
                                        {"target", "rl.thr"},
                                        {"action", "cap"},
                                        {"maxActive", 2},
                                        {"durationSeconds", 3600}});
  ASSERT_EQ(cap.status, 201) << cap.body;
  const json t = cap.json();
  EXPECT_EQ(t["targetKind"], "jobType");
  EXPECT_EQ(t["maxActive"], 2);
  EXPECT_EQ(t["reason"], "integration test");
  EXPECT_EQ(t["ticket"], "TEST-1");
  EXPECT_FALSE(t["createdBy"].is_null()) << cap.body;
  const std::string id = t["id"];
  EXPECT_EQ(cap.header("location"), std::string(kApi) + "/throttles/" + id);
  EXPECT_TRUE(
      ops_->holds("(SELECT reason = 'integration test' AND ticket = 'TEST-1' AND "
                  "target_kind = 'job_type' AND expires_at > now() + interval '59 "
                  "minutes' FROM ratelimit.throttles WHERE id = '" +
                  id + "')"));

  const std::string source_id = "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59";
  const Reply pause = post("/throttles", {{"targetKind", "source"},
                                          {"target", source_id},
                                          {"action", "pause"},
                                          {"expiresAt", "2099-01-01T00:00:00Z"}});
  EXPECT_EQ(pause.status, 422) << pause.body;  // more than 30 days ahead
  EXPECT_EQ(pause.json()["error"]["details"]["field"], "expiresAt");
  const Reply soon = post("/throttles", {{"targetKind", "source"},
                                         {"target", source_id},
                                         {"action", "pause"},
                                         {"durationSeconds", 600}});
  ASSERT_EQ(soon.status, 201) << soon.body;
  EXPECT_TRUE(soon.json()["maxActive"].is_null());

  // An expired row is no longer listed and cannot be deleted (the sweeper owns it).
  ops_->sql(
      "INSERT INTO ratelimit.throttles (tenant_id, id, target_kind, target, action, reason, "
      "expires_at) VALUES ('t1', '0193a4f0-0000-7000-8000-0000000000e1', 'job_type', 'rl.old', "
      "'pause', 'old', now() - interval '1 minute')");
  const Reply list = get("/throttles");
  ASSERT_EQ(list.status, 200) << list.body;
  std::set<std::string> listed;
  const json items = list.json()["throttles"];
  for (const auto& x : items) {
    listed.insert(x["id"].get<std::string>());
  }
  EXPECT_EQ(listed.count(id), 1u);
  EXPECT_EQ(listed.count(soon.json()["id"].get<std::string>()), 1u);
  EXPECT_EQ(listed.count("0193a4f0-0000-7000-8000-0000000000e1"), 0u);
  EXPECT_EQ(call("DELETE", "/throttles/0193a4f0-0000-7000-8000-0000000000e1").status, 404);

  EXPECT_EQ(call("DELETE", "/throttles/" + id).status, 204);
  const Reply again = call("DELETE", "/throttles/" + id);
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_EQ(again.json()["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(eventCount("throttle.created", "throttle", id), 1u);
  EXPECT_EQ(eventCount("throttle.deleted", "throttle", id), 1u);
}

TEST_F(RatelimitRoutesTest, ThrottleRefusals) {
  // The ticket is required (the host requires only the reason for orch:quota).
  std::vector<std::string> no_ticket = {"X-StellaOps-Tenant: t1",
                                        "X-StellaOps-Operator-Reason: integration test",
                                        "Content-Type: application/json"};
  for (const auto& h : ops_->headers("t1")) {
    if (h.rfind("Authorization:", 0) == 0) {
      no_ticket.push_back(h);
    }
  }
  const json body = {{"targetKind", "jobType"},
                     {"target", "rl.refused"},
                     {"action", "pause"},
                     {"durationSeconds", 60}};
  const Reply r =
      ops_->http().call("POST", std::string(kApi) + "/throttles", body.dump(), no_ticket);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "OPERATOR_TICKET_REQUIRED");

  const auto refused = [](const json& b, const std::string& field) {
    const Reply x = post("/throttles", b);
    EXPECT_EQ(x.status, 422) << b.dump() << " → " << x.body;
    EXPECT_EQ(x.json()["error"]["code"], "VALIDATION_FAILED");
    if (!field.empty()) {
      EXPECT_EQ(x.json()["error"]["details"]["field"], field) << x.body;
    }
  };
  refused({{"targetKind", "source"},
           {"target", "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59"},
           {"action", "cap"},
           {"maxActive", 1},
           {"durationSeconds", 60}},
          "action");
  refused({{"targetKind", "jobType"}, {"target", "a"}, {"action", "cap"}, {"durationSeconds", 60}},
          "maxActive");
  refused({{"targetKind", "jobType"},
           {"target", "a"},
           {"action", "pause"},
           {"durationSeconds", 60},
           {"expiresAt", "2026-01-01T00:00:00Z"}},
          "durationSeconds");
  refused({{"targetKind", "jobType"}, {"target", "a"}, {"action", "pause"}}, "expiresAt");
  refused({{"targetKind", "jobType"},
           {"target", "a"},
           {"action", "pause"},
           {"expiresAt", "2001-01-01T00:00:00Z"}},
          "expiresAt");
  refused(
      {{"targetKind", "source"}, {"target", "osv"}, {"action", "pause"}, {"durationSeconds", 9}},
      "target");
  refused({{"targetKind", "tenant"}, {"target", "a"}, {"action", "pause"}, {"durationSeconds", 9}},
          "");
  refused({{"targetKind", "jobType"}, {"target", "a"}, {"action", "pause"}, {"durationSeconds", 0}},
          "");
  EXPECT_TRUE(ops_->holds(
      "NOT EXISTS (SELECT 1 FROM ratelimit.throttles WHERE target IN ('a', 'rl.refused', 'osv'))"));
}

TEST_F(RatelimitRoutesTest, BreakersListAndReset) {
  // An open breaker with 10 successes and 14 failures in the current 5 s slot, a closed one.
  ops_->sql(
      "INSERT INTO ratelimit.breakers (tenant_id, job_type, state, window_slots, opened_until, "
      "changed_at) VALUES ('t1', 'rl.flaky', 'open', jsonb_build_array(jsonb_build_object("
      "'start', (floor(extract(epoch FROM now()) / 5) * 5)::bigint, 'ok', 10, 'failed', 14)), "
      "now() + interval '30 seconds', now()), ('t1', 'rl.fine', 'closed', '[]', NULL, now()), "
      "('t1', 'rl:x/y', 'half_open', '[]', now(), now())");
  const Reply list = get("/circuit-breakers");
  ASSERT_EQ(list.status, 200) << list.body;
  const json items = list.json()["breakers"];
  std::vector<std::string> keys;
  json flaky;
  for (const auto& b : items) {
    keys.push_back(b["key"]);
    if (b["key"] == "rl.flaky") {
      flaky = b;
    }
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << list.body;
  ASSERT_TRUE(flaky.is_object()) << list.body;
  EXPECT_EQ(flaky["state"], "open");
  EXPECT_EQ(flaky["completions"], 24);
  EXPECT_EQ(flaky["failures"], 14);
  EXPECT_NEAR(flaky["failureRatio"].get<double>(), 14.0 / 24.0, 1e-9);
  EXPECT_TRUE(flaky["openedUntil"].is_string());

  const Reply reset = call("POST", "/circuit-breakers/rl.flaky/reset");
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json()["state"], "closed");
  EXPECT_EQ(reset.json()["completions"], 0);
  EXPECT_TRUE(reset.json()["failureRatio"].is_null());
  EXPECT_TRUE(reset.json()["openedUntil"].is_null());
  EXPECT_TRUE(ops_->holds(
      "(SELECT window_slots = '[]'::jsonb AND probes_admitted = 0 FROM ratelimit.breakers "
      "WHERE tenant_id = 't1' AND job_type = 'rl.flaky')"));

  // A closed breaker resets without an event; a URL-encoded key; an unknown key is 404.
  EXPECT_EQ(call("POST", "/circuit-breakers/rl.fine/reset").status, 200);
  const Reply encoded = call("POST", "/circuit-breakers/rl%3Ax%2Fy/reset");
  ASSERT_EQ(encoded.status, 200) << encoded.body;
  EXPECT_EQ(encoded.json()["key"], "rl:x/y");
  const Reply unknown = call("POST", "/circuit-breakers/no.such/reset");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.json()["error"]["details"]["key"], "no.such");

  const json closed = events("circuit.closed");
  std::vector<std::string> closed_keys;
  for (const auto& e : closed) {
    closed_keys.push_back(e["data"]["jobType"]);
    if (e["data"]["jobType"] == "rl.flaky") {
      EXPECT_EQ(e["data"]["reset"], true);
      EXPECT_EQ(e["data"]["from"], "open");
    }
  }
  std::sort(closed_keys.begin(), closed_keys.end());
  EXPECT_EQ(closed_keys, (std::vector<std::string>{"rl.flaky", "rl:x/y"}));
}

TEST_F(RatelimitRoutesTest, UpstreamBucketsAreListedWithLevelNow) {
  ops_->sql(
      "INSERT INTO ratelimit.upstream_buckets (tenant_id, host, rpm, burst, cooldown_seconds, "
      "current_per_s, level, updated_at, cooldown_until) VALUES "
      "('t4', 'api.osv.dev', 60, 10, 60, 0.5, 2, now(), NULL), "
      "('t4', 'nvd.nist.gov', 120, 5, 30, 1, 0, now() + interval '1 minute', "
      "now() + interval '1 minute')");
  const Reply r = get("/ratelimit/buckets", "t4");
  ASSERT_EQ(r.status, 200) << r.body;
  const json items = r.json()["buckets"];
  ASSERT_EQ(items.size(), 2u) << r.body;
  EXPECT_EQ(items[0]["host"], "api.osv.dev");
  EXPECT_EQ(items[0]["configuredPerMinute"], 60.0);
  EXPECT_EQ(items[0]["currentPerMinute"], 30.0);
  EXPECT_GE(items[0]["level"].get<double>(), 2.0);
  EXPECT_LE(items[0]["level"].get<double>(), 10.0);
  EXPECT_TRUE(items[0]["cooldownUntil"].is_null());
  EXPECT_EQ(items[1]["host"], "nvd.nist.gov");
  EXPECT_EQ(items[1]["level"], 0.0);  // cooling down: no refill yet
  EXPECT_TRUE(items[1]["cooldownUntil"].is_string());

  const Reply first = get("/ratelimit/buckets?page_size=1", "t4");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(first.json().contains("nextPageToken")) << first.body;
  const std::string token = first.json()["nextPageToken"];
  const Reply second = get("/ratelimit/buckets?page_size=1&page_token=" + token, "t4");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json()["buckets"][0]["host"], "nvd.nist.gov");
  EXPECT_FALSE(second.json().contains("nextPageToken"));
  // A token of one list is refused on another.
  EXPECT_EQ(get("/circuit-breakers?page_token=" + token, "t4").status, 400);
}

TEST_F(RatelimitRoutesTest, QuotaPagesAreKeysetOrdered) {
  for (const char* type : {"rl.page.a", "rl.page.b", "rl.page.c"}) {
    createQuota({{"jobType", type}, {"maxActive", 1}}, "t3");
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    const Reply r =
        get("/quotas?page_size=2" + (token.empty() ? "" : "&page_token=" + token), "t3");
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    for (const auto& q : body["quotas"]) {
      seen.push_back(q["jobType"]);
    }
    token = body.value("nextPageToken", "");
    ++pages;
  } while (!token.empty() && pages < 5);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"rl.page.a", "rl.page.b", "rl.page.c"}));
}

TEST_F(RatelimitRoutesTest, AnotherTenantSeesNoneOfIt) {
  const json q = createQuota({{"jobType", "rl.iso"}, {"maxActive", 1}});
  const std::string id = q["id"];
  const Reply thr = post("/throttles", {{"targetKind", "jobType"},
                                        {"target", "rl.iso"},
                                        {"action", "pause"},
                                        {"durationSeconds", 60}});
  ASSERT_EQ(thr.status, 201) << thr.body;
  ops_->sql(
      "INSERT INTO ratelimit.breakers (tenant_id, job_type, state) VALUES ('t1', 'rl.iso', "
      "'open') ON CONFLICT DO NOTHING; INSERT INTO ratelimit.upstream_buckets (tenant_id, host, "
      "rpm, burst, cooldown_seconds, current_per_s, level) VALUES ('t1', 'iso.example', 60, 1, "
      "0, 1, 1) ON CONFLICT DO NOTHING");

  EXPECT_EQ(get("/quotas/" + id, "t2").status, 404);
  EXPECT_EQ(call("PUT", "/quotas/" + id, R"({"maxActive":9})", {"If-Match: *"}, "t2").status, 404);
  EXPECT_EQ(call("DELETE", "/quotas/" + id, "", {}, "t2").status, 404);
  EXPECT_EQ(call("POST", "/quotas/" + id + "/pause", "", {}, "t2").status, 404);
  EXPECT_EQ(
      call("DELETE", "/throttles/" + thr.json()["id"].get<std::string>(), "", {}, "t2").status,
      404);
  EXPECT_EQ(call("POST", "/circuit-breakers/rl.iso/reset", "", {}, "t2").status, 404);
  for (const auto& [path, field] :
       std::vector<std::pair<std::string, std::string>>{{"/quotas", "quotas"},
                                                        {"/quotas/summary", "quotas"},
                                                        {"/throttles", "throttles"},
                                                        {"/circuit-breakers", "breakers"},
                                                        {"/ratelimit/buckets", "buckets"}}) {
    const Reply r = get(path, "t2");
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_TRUE(r.json()[field].empty()) << path << ": " << r.body;
  }
  // The same job type is free for the other tenant.
  EXPECT_EQ(post("/quotas", {{"jobType", "rl.iso"}, {"maxActive", 1}}, "t2").status, 201);
  EXPECT_TRUE(events("quota.created", "t2").size() == 1u);
  EXPECT_TRUE(ops_->holds("(SELECT max_active FROM ratelimit.quotas WHERE id = '" + id + "') = 1"));
}

TEST_F(RatelimitRoutesTest, InfoStillAnswers) {
  const Reply r = get("/ratelimit/info");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["id"], "ratelimit");
}

}  // namespace
}  // namespace jobengine::testing
