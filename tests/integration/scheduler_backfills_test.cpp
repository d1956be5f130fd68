// Watermarks and backfills on the real engine (SPEC §4, §5.1 /backfills, issue 13): a dry run
// planning windows and creating nothing, a backfill's runs and low-priority jobs, 409 naming an
// overlapping active backfill (none for a disjoint window or another scope), progress as a
// worker completes the windows, backfill.succeeded / failed / canceled, the refusals (from >=
// to, too many windows, missing ticket, unknown or paused source), the watermark advancing
// only through windows whose jobs all succeeded and never across a gap, a live sync's and a
// schedule trigger's window starting at the watermark, and the audited admin PUT moving a
// watermark backwards.
//
// Sources are of kind "bf" with their own sync job type per test (config.syncJobType), which
// has no handler: the test is the worker (POST /worker/claim, .../complete), so each test
// claims only its own jobs.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class BackfillsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("ops_backfills");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  static std::vector<std::string> headersWithout(const std::string& prefix) {
    std::vector<std::string> h;
    for (const auto& line : ops_->headers("t1")) {
      if (line.rfind(prefix, 0) != 0) {
        h.push_back(line);
      }
    }
    h.emplace_back("Content-Type: application/json");
    return h;
  }
  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& extra = {}) {
    auto h = ops_->headers("t1", extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
  Reply post(const std::string& path, const json& body) { return call("POST", path, body.dump()); }
  // A source whose sync jobs are of type `job_type` (no handler: the test completes them).
  std::string source(const std::string& name, const std::string& job_type) {
    const Reply r =
        post("/sources", {{"name", name}, {"kind", "bf"}, {"config", {{"syncJobType", job_type}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  json backfill(const std::string& src, const std::string& from, const std::string& to,
                const json& extra = json::object()) {
    json body = {{"sourceId", src}, {"from", from}, {"to", to}};
    body.update(extra);
    const Reply r = post("/backfills", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  // Claims every queued job of `job_type`, by window start ("open" for a live sync's).
  std::map<std::string, json> claim(const std::string& job_type) {
    const Reply r = post("/worker/claim",
                         {{"jobTypes", {job_type}}, {"maxCount", 100}, {"workerId", "bf-test"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const json answer = r.json();
    std::map<std::string, json> by_from;
    for (const auto& g : answer["grants"]) {
      const json& w = g["payload"]["window"];
      by_from[w["from"].is_null() ? "open" : w["from"].get<std::string>().substr(0, 10)] = g;
    }
    return by_from;
  }
  void complete(const json& grant, bool ok = true) {
    json body = {{"leaseId", grant["leaseId"]}, {"status", ok ? "succeeded" : "failed"}};
    if (!ok) {
      body["error"] = {{"code", "PARSE_ERROR"}, {"message", "bad document"}, {"retryable", false}};
    }
    const Reply r = post("/worker/jobs/" + grant["jobId"].get<std::string>() + "/complete", body);
    EXPECT_EQ(r.status, 200) << r.body;
  }
  static bool watermarkIs(const std::string& src, const std::string& at,
                          const std::string& scope = "default") {
    return ops_->holds("(SELECT watermark FROM scheduler.watermarks WHERE source_id = '" + src +
                       "' AND scope = '" + scope + "') = '" + at + "'::timestamptz");
  }
  static bool noWatermark(const std::string& src) {
    return ops_->holds("NOT EXISTS (SELECT 1 FROM scheduler.watermarks WHERE source_id = '" + src +
                       "')");
  }
  static std::string events(const std::string& type, const std::string& src) {
    return "(SELECT count(*) FROM jobengine.events WHERE event_type = '" + type +
           "' AND source_id = '" + src + "')";
  }
  json getBackfill(const std::string& id) {
    const Reply r = call("GET", "/backfills/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
};
OpsEngine* BackfillsTest::ops_ = nullptr;

TEST_F(BackfillsTest, DryRunPlansWindowsAndCreatesNothing) {
  const std::string src = source("bf:dry", "bf.dry");
  ops_->sql(
      "DROP TABLE IF EXISTS bf_before; CREATE TABLE bf_before AS SELECT (SELECT count(*) FROM "
      "scheduler.runs) AS runs, (SELECT count(*) FROM scheduler.jobs) AS jobs, (SELECT count(*) "
      "FROM scheduler.backfills) AS backfills, (SELECT count(*) FROM jobengine.events) AS "
      "events");
  const Reply r = post("/backfills", {{"sourceId", src},
                                      {"from", "2027-03-01T00:00:00Z"},
                                      {"to", "2027-03-03T12:00:00Z"},
                                      {"dryRun", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json plan = r.json();
  EXPECT_EQ(plan["jobCount"], 3);
  ASSERT_EQ(plan["windows"].size(), 3u) << plan;
  EXPECT_EQ(plan["windows"][0]["from"], "2027-03-01T00:00:00.000Z");
  EXPECT_EQ(plan["windows"][0]["to"], "2027-03-02T00:00:00.000Z");
  EXPECT_EQ(plan["windows"][2]["from"], "2027-03-03T00:00:00.000Z");
  EXPECT_EQ(plan["windows"][2]["to"], "2027-03-03T12:00:00.000Z") << "the last window is shorter";
  const Reply hourly = post("/backfills", {{"sourceId", src},
                                           {"from", "2027-03-01T00:00:00Z"},
                                           {"to", "2027-03-01T03:00:00Z"},
                                           {"windowMinutes", 60},
                                           {"dryRun", true}});
  ASSERT_EQ(hourly.status, 200) << hourly.body;
  EXPECT_EQ(hourly.json()["jobCount"], 3);
  EXPECT_TRUE(ops_->holds(
      "(SELECT runs FROM bf_before) = (SELECT count(*) FROM scheduler.runs) AND (SELECT jobs "
      "FROM bf_before) = (SELECT count(*) FROM scheduler.jobs) AND (SELECT backfills FROM "
      "bf_before) = (SELECT count(*) FROM scheduler.backfills) AND (SELECT events FROM "
      "bf_before) = (SELECT count(*) FROM jobengine.events)"))
      << "a dry run writes nothing";
}

TEST_F(BackfillsTest, CreateMakesOneLowPriorityRunAndJobPerWindow) {
  const std::string src = source("bf:create", "bf.create");
  const Reply r =
      post("/backfills",
           {{"sourceId", src}, {"from", "2027-03-01T00:00:00Z"}, {"to", "2027-03-04T00:00:00Z"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json b = r.json();
  const std::string id = b["id"];
  EXPECT_EQ(r.header("location"), std::string(kApi) + "/backfills/" + id);
  EXPECT_EQ(b["status"], "queued");
  EXPECT_EQ(b["scope"], "default");
  EXPECT_EQ(b["windowMinutes"], 1440);
  EXPECT_EQ(b["reason"], "integration test");
  EXPECT_EQ(b["ticket"], "TEST-1");
  EXPECT_EQ(b["progress"]["windowsTotal"], 3);
  EXPECT_EQ(b["progress"]["windowsActive"], 3);
  EXPECT_EQ(b["progress"]["percent"], 0);
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.runs WHERE backfill_id = '" + id +
                          "' AND kind = 'backfill' AND window_scope = 'default' AND source_id = '" +
                          src + "') = 3"));
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM scheduler.jobs j JOIN scheduler.runs r ON r.id "
                  "= j.run_id WHERE r.backfill_id = '" +
                  id +
                  "' AND j.priority = 1 AND j.job_type = 'bf.create' AND "
                  "j.payload->>'backfillId' = '" +
                  id + "' AND j.payload->'window'->>'scope' = 'default') = 3"));
  EXPECT_TRUE(ops_->holds(
      "EXISTS (SELECT 1 FROM scheduler.runs WHERE backfill_id = '" + id +
      "' AND window_from = '2027-03-03T00:00:00Z' AND window_to = '2027-03-04T00:00:00Z')"));
  EXPECT_TRUE(ops_->holds(events("backfill.created", src) + " = 1"));
  EXPECT_EQ(getBackfill(id), b);
  // Each run shows its window and backfill (GET /runs and GET /runs/{id}).
  const Reply runs = call("GET", "/runs?sourceId=" + src);
  ASSERT_EQ(runs.status, 200) << runs.body;
  std::set<std::string> windows;
  const json listed = runs.json();
  for (const json& run : listed["items"]) {
    EXPECT_EQ(run["backfillId"], id) << run;
    EXPECT_EQ(run["window"]["scope"], "default") << run;
    windows.insert(run["window"]["from"].get<std::string>() + "/" +
                   run["window"]["to"].get<std::string>());
    const Reply one = call("GET", "/runs/" + run["id"].get<std::string>());
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json()["window"], run["window"]);
  }
  EXPECT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows.count("2027-03-03T00:00:00.000Z/2027-03-04T00:00:00.000Z"), 1u);
  const Reply list = call("GET", "/backfills?sourceId=" + src);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json()["backfills"].size(), 1u);
  EXPECT_EQ(list.json()["backfills"][0]["id"], id);
  const Reply queued = call("GET", "/backfills?sourceId=" + src + "&status=succeeded");
  ASSERT_EQ(queued.status, 200) << queued.body;
  EXPECT_TRUE(queued.json()["backfills"].empty());
  EXPECT_EQ(call("GET", "/backfills?status=nope").status, 400);
  EXPECT_EQ(call("GET", "/backfills/0190b1a2-0000-7000-8000-000000000001").status, 404);
  // A live sync outranks the backfill: it is claimed first.
  const Reply sync = post("/sources/" + src + "/sync", json::object());
  ASSERT_EQ(sync.status, 202) << sync.body;
  const Reply claimed =
      post("/worker/claim", {{"jobTypes", {"bf.create"}}, {"maxCount", 1}, {"workerId", "bf"}});
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  ASSERT_EQ(claimed.json()["grants"].size(), 1u);
  EXPECT_EQ(claimed.json()["grants"][0]["jobId"], sync.json()["jobId"]);
  EXPECT_EQ(claimed.json()["grants"][0]["priority"], 5);
}

TEST_F(BackfillsTest, OverlapIsAConflictNamingTheActiveBackfill) {
  const std::string src = source("bf:overlap", "bf.overlap");
  const std::string first = backfill(src, "2027-03-01T00:00:00Z", "2027-03-04T00:00:00Z")["id"];
  const json overlapping = {
      {"sourceId", src}, {"from", "2027-03-03T00:00:00Z"}, {"to", "2027-03-05T00:00:00Z"}};
  Reply r = post("/backfills", overlapping);
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "BACKFILL_OVERLAP");
  EXPECT_EQ(r.json()["error"]["details"]["existingId"], first);
  json dry = overlapping;
  dry["dryRun"] = true;
  EXPECT_EQ(post("/backfills", dry).status, 409) << "a dry run is checked like the real one";
  // Touching [to, ...) and another scope do not overlap.
  backfill(src, "2027-03-04T00:00:00Z", "2027-03-05T00:00:00Z");
  backfill(src, "2027-03-01T00:00:00Z", "2027-03-04T00:00:00Z", {{"scope", "npm"}});
  // Once the first is canceled, its window is free again.
  ASSERT_EQ(post("/backfills/" + first + "/cancel", json::object()).status, 200);
  backfill(src, "2027-03-02T00:00:00Z", "2027-03-03T00:00:00Z");
}

TEST_F(BackfillsTest, RefusalsNameTheFieldAndCreateNothing) {
  const std::string src = source("bf:refuse", "bf.refuse");
  Reply r =
      post("/backfills",
           {{"sourceId", src}, {"from", "2027-03-04T00:00:00Z"}, {"to", "2027-03-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["details"]["field"], "to");
  r = post("/backfills", {{"sourceId", src},
                          {"from", "2020-01-01T00:00:00Z"},
                          {"to", "2027-03-01T00:00:00Z"},
                          {"windowMinutes", 1}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["details"]["field"], "windowMinutes");
  r = post("/backfills", {{"sourceId", "0190b1a2-0000-7000-8000-000000000001"},
                          {"from", "2027-03-01T00:00:00Z"},
                          {"to", "2027-03-02T00:00:00Z"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["error"]["details"]["field"], "sourceId");
  const json ok_body = {
      {"sourceId", src}, {"from", "2027-03-01T00:00:00Z"}, {"to", "2027-03-02T00:00:00Z"}};
  r = ops_->http().call("POST", std::string(kApi) + "/backfills", ok_body.dump(),
                        headersWithout("X-StellaOps-Operator-Ticket"));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "OPERATOR_TICKET_REQUIRED");
  ASSERT_EQ(post("/sources/" + src + "/pause", json::object()).status, 200);
  r = post("/backfills", ok_body);
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "SOURCE_PAUSED");
  EXPECT_TRUE(ops_->holds("NOT EXISTS (SELECT 1 FROM scheduler.backfills WHERE source_id = '" +
                          src +
                          "') AND NOT EXISTS (SELECT 1 FROM scheduler.runs WHERE "
                          "source_id = '" +
                          src + "')"));
}

TEST_F(BackfillsTest, ProgressWatermarkAndSuccess) {
  const std::string src = source("bf:progress", "bf.progress");
  const std::string id = backfill(src, "2027-03-01T00:00:00Z", "2027-03-04T00:00:00Z")["id"];
  auto grants = claim("bf.progress");
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(getBackfill(id)["status"], "running") << "its jobs started";
  // The middle window first: progress moves, the watermark cannot (the first window is open).
  complete(grants["2027-03-02"]);
  json b = getBackfill(id);
  EXPECT_EQ(b["progress"]["windowsSucceeded"], 1);
  EXPECT_EQ(b["progress"]["windowsActive"], 2);
  EXPECT_EQ(b["progress"]["percent"], 33);
  EXPECT_TRUE(noWatermark(src));
  complete(grants["2027-03-01"]);
  EXPECT_TRUE(watermarkIs(src, "2027-03-03T00:00:00Z")) << "chains through both windows";
  complete(grants["2027-03-03"]);
  EXPECT_TRUE(watermarkIs(src, "2027-03-04T00:00:00Z"));
  b = getBackfill(id);
  EXPECT_EQ(b["status"], "succeeded");
  EXPECT_EQ(b["progress"]["percent"], 100);
  EXPECT_TRUE(b["finishedAt"].is_string());
  EXPECT_TRUE(ops_->holds(events("backfill.succeeded", src) + " = 1"));
  EXPECT_TRUE(ops_->holds(events("watermark.advanced", src) + " = 2"));
  EXPECT_TRUE(
      ops_->holds("EXISTS (SELECT 1 FROM jobengine.events e WHERE event_type = "
                  "'watermark.advanced' AND source_id = '" +
                  src +
                  "' AND (jobengine.event_body(e))->'data'->>'to' LIKE "
                  "'2027-03-04T00:00:00%' AND (jobengine.event_body(e))->'data'->>'from' "
                  "LIKE '2027-03-03T00:00:00%')"));
  const Reply w = call("GET", "/sources/" + src + "/watermarks");
  ASSERT_EQ(w.status, 200) << w.body;
  ASSERT_EQ(w.json()["watermarks"].size(), 1u) << w.body;
  EXPECT_EQ(w.json()["watermarks"][0]["scope"], "default");
  EXPECT_EQ(w.json()["watermarks"][0]["watermark"], "2027-03-04T00:00:00.000Z");
  EXPECT_EQ(w.json()["watermarks"][0]["version"], 2);
  // A live sync now covers [watermark, now).
  const Reply sync = post("/sources/" + src + "/sync", json::object());
  ASSERT_EQ(sync.status, 202) << sync.body;
  EXPECT_TRUE(ops_->holds("(SELECT window_from FROM scheduler.runs WHERE id = '" +
                          sync.json()["runId"].get<std::string>() + "') = '2027-03-04T00:00:00Z'"));
}

TEST_F(BackfillsTest, AFailedWindowIsAGapTheWatermarkDoesNotCross) {
  const std::string src = source("bf:gap", "bf.gap");
  const std::string id = backfill(src, "2027-03-01T00:00:00Z", "2027-03-04T00:00:00Z")["id"];
  auto grants = claim("bf.gap");
  ASSERT_EQ(grants.size(), 3u);
  complete(grants["2027-03-01"]);
  EXPECT_TRUE(watermarkIs(src, "2027-03-02T00:00:00Z"));
  complete(grants["2027-03-02"], false);  // permanent: dead-lettered, run failed
  complete(grants["2027-03-03"]);
  EXPECT_TRUE(watermarkIs(src, "2027-03-02T00:00:00Z")) << "not across the failed window";
  json b = getBackfill(id);
  EXPECT_EQ(b["status"], "failed");
  EXPECT_EQ(b["progress"]["windowsFailed"], 1);
  EXPECT_EQ(b["progress"]["windowsSucceeded"], 2);
  EXPECT_TRUE(ops_->holds(events("backfill.failed", src) + " = 1"));
  // A new backfill of the gap fills it: the watermark chains on through [03-03, 03-04).
  const std::string refill = backfill(src, "2027-03-02T00:00:00Z", "2027-03-03T00:00:00Z")["id"];
  grants = claim("bf.gap");
  ASSERT_EQ(grants.size(), 1u);
  complete(grants["2027-03-02"]);
  EXPECT_TRUE(watermarkIs(src, "2027-03-04T00:00:00Z"));
  EXPECT_EQ(getBackfill(refill)["status"], "succeeded");
}

TEST_F(BackfillsTest, CancelStopsEveryWindowOnceAndIsIdempotent) {
  const std::string src = source("bf:cancel", "bf.cancel");
  const std::string id = backfill(src, "2027-03-01T00:00:00Z", "2027-03-04T00:00:00Z")["id"];
  const Reply one =
      post("/worker/claim", {{"jobTypes", {"bf.cancel"}}, {"maxCount", 1}, {"workerId", "bf"}});
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_EQ(one.json()["grants"].size(), 1u);
  const json leased = one.json()["grants"][0];
  Reply r = post("/backfills/" + id + "/cancel", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "canceled");
  EXPECT_TRUE(r.json()["finishedAt"].is_string());
  EXPECT_EQ(r.json()["progress"]["windowsCanceled"], 2);
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM scheduler.jobs j JOIN scheduler.runs r ON r.id "
                  "= j.run_id WHERE r.backfill_id = '" +
                  id + "' AND j.status = 'canceled') = 2"));
  EXPECT_TRUE(ops_->holds("(SELECT cancel_requested FROM scheduler.jobs WHERE id = '" +
                          leased["jobId"].get<std::string>() + "')"));
  EXPECT_TRUE(ops_->holds(events("backfill.canceled", src) + " = 1"));
  // Again: 200, no second event; the leased job's end does not reopen it.
  r = post("/backfills/" + id + "/cancel", json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "canceled");
  complete(leased);
  EXPECT_EQ(getBackfill(id)["status"], "canceled");
  EXPECT_TRUE(ops_->holds(events("backfill.canceled", src) + " = 1"));
  EXPECT_EQ(post("/backfills/0190b1a2-0000-7000-8000-000000000001/cancel", json::object()).status,
            404);
}

TEST_F(BackfillsTest, LiveSyncMakesTheFirstWatermarkAndAdminPutMovesItBack) {
  const std::string src = source("bf:live", "bf.live");
  Reply sync = post("/sources/" + src + "/sync", json::object());
  ASSERT_EQ(sync.status, 202) << sync.body;
  const std::string run = sync.json()["runId"];
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.runs WHERE id = '" + run +
                          "' AND window_scope = 'default' AND window_from IS NULL AND window_to "
                          "IS NOT NULL)"));
  auto grants = claim("bf.live");
  ASSERT_EQ(grants.count("open"), 1u);
  EXPECT_EQ(grants["open"]["priority"], 5);
  complete(grants["open"]);
  EXPECT_TRUE(ops_->holds("(SELECT watermark FROM scheduler.watermarks WHERE source_id = '" + src +
                          "') = (SELECT window_to FROM scheduler.runs WHERE id = '" + run + "')"));
  EXPECT_TRUE(
      ops_->holds("EXISTS (SELECT 1 FROM jobengine.events e WHERE event_type = "
                  "'watermark.advanced' AND source_id = '" +
                  src + "' AND (jobengine.event_body(e))->'data'->>'runId' = '" + run + "')"));
  // Backwards only through the audited PUT: reason and ticket required.
  const json body = {{"watermark", "2027-03-01T00:00:00Z"}};
  Reply r = ops_->http().call("PUT", std::string(kApi) + "/sources/" + src + "/watermarks/default",
                              body.dump(), headersWithout("X-StellaOps-Operator-Ticket"));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["error"]["code"], "OPERATOR_TICKET_REQUIRED");
  r = call("PUT", "/sources/" + src + "/watermarks/default", body.dump(), {"If-Match: \"v9\""});
  ASSERT_EQ(r.status, 412) << r.body;
  r = call("PUT", "/sources/" + src + "/watermarks/default", body.dump(), {"If-Match: \"v1\""});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"v2\"");
  EXPECT_EQ(r.json()["watermark"], "2027-03-01T00:00:00.000Z");
  EXPECT_TRUE(r.json()["runId"].is_null());
  EXPECT_TRUE(watermarkIs(src, "2027-03-01T00:00:00Z"));
  EXPECT_TRUE(
      ops_->holds("EXISTS (SELECT 1 FROM jobengine.events e WHERE event_type = "
                  "'watermark.set' AND source_id = '" +
                  src +
                  "' AND (jobengine.event_body(e))->'data'->>'ticket' = 'TEST-1' AND "
                  "(jobengine.event_body(e))->'data'->>'reason' = 'integration test')"));
  r = call("PUT", "/sources/" + src + "/watermarks/bad%20scope", body.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  r = call("PUT", "/sources/" + src + "/watermarks/default", json{{"watermark", "soon"}}.dump());
  EXPECT_EQ(r.status, 422) << r.body;
  // A new scope is created by PUT; the GET lists scopes in order.
  ASSERT_EQ(call("PUT", "/sources/" + src + "/watermarks/npm", body.dump()).status, 200);
  const Reply w = call("GET", "/sources/" + src + "/watermarks");
  ASSERT_EQ(w.status, 200) << w.body;
  ASSERT_EQ(w.json()["watermarks"].size(), 2u);
  EXPECT_EQ(w.json()["watermarks"][0]["scope"], "default");
  EXPECT_EQ(w.json()["watermarks"][1]["scope"], "npm");
  EXPECT_EQ(call("GET", "/sources/0190b1a2-0000-7000-8000-000000000001/watermarks").status, 404);
}

TEST_F(BackfillsTest, AScheduleFireCoversTheWindowFromTheWatermark) {
  const std::string src = source("bf:schedule", "bf.schedule");
  ASSERT_EQ(call("PUT", "/sources/" + src + "/watermarks/default",
                 json{{"watermark", "2026-01-01T00:00:00Z"}}.dump())
                .status,
            200);
  const Reply s = post("/schedules", {{"sourceId", src}, {"cron", "@daily"}});
  ASSERT_EQ(s.status, 201) << s.body;
  const Reply fired =
      post("/schedules/" + s.json()["id"].get<std::string>() + "/trigger", json::object());
  ASSERT_EQ(fired.status, 202) << fired.body;
  const std::string run = fired.json()["runId"];
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.runs WHERE id = '" + run +
                          "' AND window_scope = 'default' AND window_from = "
                          "'2026-01-01T00:00:00Z' AND window_to = '" +
                          fired.json()["fireAt"].get<std::string>() + "'::timestamptz)"));
  auto grants = claim("bf.schedule");
  ASSERT_EQ(grants.count("2026-01-01"), 1u);
  complete(grants["2026-01-01"]);
  EXPECT_TRUE(ops_->holds("(SELECT watermark FROM scheduler.watermarks WHERE source_id = '" + src +
                          "') = '" + fired.json()["fireAt"].get<std::string>() + "'::timestamptz"));
}

}  // namespace
}  // namespace jobengine::testing
