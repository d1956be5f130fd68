// Schedules on the real engine (SPEC §5.1 /schedules, issue 13): CRUD with ETag / If-Match /
// 412, one schedule per source (409), 422 naming the field for a bad cron or zone, the
// source's `schedule` field as a view of the same row, preview creating nothing, trigger with
// its refusals, and the leader firing due schedules by their catch-up rule, never twice.
//
// Firing is checked with real time for the leader and a moved-back planning position for the
// schedule: the test sets planned_through / next_fire_at a few minutes into the past (as if
// the engine had been down), which is exactly what the leader finds after an outage.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "scheduler_ops_support.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

class SchedulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ops_ == nullptr) {
      ops_ = new OpsEngine("ops_schedules");
    }
  }
  static void TearDownTestSuite() {
    delete ops_;
    ops_ = nullptr;
  }
  static OpsEngine* ops_;

  Reply call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::vector<std::string>& extra = {}, const std::string& tenant = "t1") {
    auto h = ops_->headers(tenant, extra);
    h.emplace_back("Content-Type: application/json");
    return ops_->http().call(method, std::string(kApi) + path, body, h);
  }
  Reply post(const std::string& path, const json& body, const std::string& tenant = "t1") {
    return call("POST", path, body.dump(), {}, tenant);
  }
  // A source of kind "sched" (its sync job type "sched.fetch" has no handler: runs stay queued).
  std::string source(const std::string& name, const json& extra = json::object()) {
    json body = {{"name", name}, {"kind", "sched"}};
    body.update(extra);
    const Reply r = post("/sources", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  std::string schedule(const json& body) {
    const Reply r = post("/schedules", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  // Waits until the SQL condition holds (the leader acts every 100 ms).
  bool eventually(const std::string& condition,
                  std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ops_->holds(condition)) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  static std::string fires(const std::string& schedule_id, const std::string& outcome) {
    return "(SELECT count(*) FROM scheduler.schedule_fires WHERE schedule_id = '" + schedule_id +
           "' AND outcome = '" + outcome + "')";
  }
  // As if the engine had been down since `minutes` ago: the schedule is due now and its
  // fires after that moment are undecided.
  void pretendDownFor(const std::string& schedule_id, int minutes, int seconds = 0) {
    ops_->sql(
        "UPDATE scheduler.schedules SET planned_through = date_trunc('minute', now()) - "
        "interval '" +
        std::to_string(minutes) + " minutes " + std::to_string(seconds) +
        " seconds', next_fire_at = now() - interval '1 second' WHERE id = '" + schedule_id + "'");
  }
};
OpsEngine* SchedulesTest::ops_ = nullptr;

TEST_F(SchedulesTest, CreateGetReplaceDeleteWithEtagsAndTheSourceView) {
  const std::string src = source("sched:crud");
  const Reply created = post("/schedules", {{"sourceId", src},
                                            {"cron", "30 2 * * *"},
                                            {"timeZone", "Europe/Berlin"},
                                            {"maxLagMinutes", 60}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json s = created.json();
  EXPECT_EQ(created.header("etag"), "\"v1\"");
  EXPECT_EQ(created.header("location"),
            std::string(kApi) + "/schedules/" + s["id"].get<std::string>());
  EXPECT_EQ(s["sourceId"], src);
  EXPECT_EQ(s["catchUp"], "one");
  EXPECT_EQ(s["maxParallelRuns"], 1);
  EXPECT_EQ(s["enabled"], true);
  EXPECT_TRUE(s["lastFiredAt"].is_null());
  ASSERT_TRUE(s["nextFireAt"].is_string()) << s;
  // 02:30 in Berlin is 00:30Z or 01:30Z (or 01:00Z on the spring-forward day).
  const std::string next = s["nextFireAt"];
  EXPECT_TRUE(next.find("T00:30:00") != std::string::npos ||
              next.find("T01:30:00") != std::string::npos ||
              next.find("T01:00:00") != std::string::npos)
      << next;
  const std::string id = s["id"];

  const Reply got = call("GET", "/schedules/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), s);
  EXPECT_EQ(call("GET", "/schedules/" + id, "", {"If-None-Match: \"v1\""}).status, 304);

  // The source shows the same row.
  const Reply src_view = call("GET", "/sources/" + src);
  ASSERT_EQ(src_view.status, 200);
  EXPECT_EQ(src_view.json()["schedule"], s);

  // PUT replaces; a stale If-Match changes nothing.
  const json replacement = {
      {"cron", "0 9 * * MON-FRI"}, {"timeZone", "America/New_York"}, {"catchUp", "skip"}};
  const Reply stale = call("PUT", "/schedules/" + id, replacement.dump(), {"If-Match: \"v7\""});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_TRUE(
      ops_->holds("(SELECT cron FROM scheduler.schedules WHERE id = '" + id + "') = '30 2 * * *'"));
  const Reply put = call("PUT", "/schedules/" + id, replacement.dump(), {"If-Match: \"v1\""});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("etag"), "\"v2\"");
  EXPECT_EQ(put.json()["cron"], "0 9 * * MON-FRI");
  EXPECT_EQ(put.json()["catchUp"], "skip");
  EXPECT_EQ(put.json()["maxLagMinutes"], 0) << "PUT replaces: an omitted field takes its default";
  const std::string next_ny = put.json()["nextFireAt"];
  EXPECT_TRUE(next_ny.find("T13:00:00") != std::string::npos ||
              next_ny.find("T14:00:00") != std::string::npos)
      << next_ny;
  const Reply moved = call("PUT", "/schedules/" + id,
                           json{{"sourceId", source("sched:other")}, {"cron", "@daily"}}.dump());
  EXPECT_EQ(moved.status, 422) << moved.body;
  EXPECT_EQ(moved.json()["error"]["details"]["field"], "sourceId");

  // Listed, filtered by source.
  const Reply list = call("GET", "/schedules?sourceId=" + src);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json()["schedules"].size(), 1u);
  EXPECT_EQ(list.json()["schedules"][0]["id"], id);

  EXPECT_EQ(call("DELETE", "/schedules/" + id, "", {"If-Match: \"v1\""}).status, 412);
  EXPECT_EQ(call("DELETE", "/schedules/" + id, "", {"If-Match: \"v2\""}).status, 204);
  EXPECT_EQ(call("GET", "/schedules/" + id).status, 404);
  EXPECT_TRUE(call("GET", "/sources/" + src).json()["schedule"].is_null());
  for (const char* type : {"schedule.created", "schedule.updated", "schedule.deleted"}) {
    EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM jobengine.events WHERE event_type = '" +
                            std::string(type) + "' AND source_id = '" + src + "')"))
        << type;
  }
}

TEST_F(SchedulesTest, RefusalsNameTheFieldAndWriteNothing) {
  const std::string src = source("sched:refusals");
  const auto refused = [&](const json& body, int status, const std::string& field,
                           const std::string& says) {
    const Reply r = post("/schedules", body);
    EXPECT_EQ(r.status, status) << body << " -> " << r.body;
    const json e = r.json()["error"];
    // The request validator names a JSON path ("$.maxParallelRuns"), the handler's cron and
    // zone checks the field ("cron"): either names it.
    std::string named = e["details"].value("field", "");
    if (named.rfind("$.", 0) == 0) {
      named = named.substr(2);
    }
    EXPECT_EQ(named, field) << r.body;
    EXPECT_NE(e["message"].get<std::string>().find(says), std::string::npos) << r.body;
  };
  refused({{"sourceId", src}, {"cron", "61 * * * *"}}, 422, "cron", "field 1 (minute)");
  refused({{"sourceId", src}, {"cron", "0 0 * 13 *"}}, 422, "cron", "field 4 (month)");
  refused({{"sourceId", src}, {"cron", "0 0 * * FUNDAY"}}, 422, "cron", "field 5");
  refused({{"sourceId", src}, {"cron", "* * * *"}}, 422, "cron", "5");
  refused({{"sourceId", src}, {"cron", "@daily"}, {"timeZone", "Mars/Olympus_Mons"}}, 422,
          "timeZone", "Mars/Olympus_Mons");
  refused({{"sourceId", src}, {"cron", "@daily"}, {"catchUp", "some"}}, 422, "catchUp", "enum");
  refused({{"sourceId", src}, {"cron", "@daily"}, {"maxParallelRuns", 0}}, 422, "maxParallelRuns",
          "1");
  refused({{"sourceId", src}, {"cron", "@daily"}, {"every", "day"}}, 422, "every", "not a field");
  refused({{"cron", "@daily"}}, 422, "sourceId", "required");
  refused({{"sourceId", "0193a4f0-1e2d-7c3b-8a9f-0e1d2c3b4a59"}, {"cron", "@daily"}}, 422,
          "sourceId", "no source");
  // Through the source, the field is named inside `schedule`.
  const Reply via_source =
      post("/sources",
           {{"name", "sched:bad"}, {"kind", "sched"}, {"schedule", {{"cron", "*/0 * * * *"}}}});
  EXPECT_EQ(via_source.status, 422) << via_source.body;
  EXPECT_EQ(via_source.json()["error"]["details"]["field"], "schedule.cron");
  EXPECT_TRUE(ops_->holds("NOT EXISTS (SELECT 1 FROM scheduler.sources WHERE name = 'sched:bad')"));
  EXPECT_TRUE(ops_->holds("NOT EXISTS (SELECT 1 FROM scheduler.schedules WHERE source_id = '" +
                          src + "')"));

  // One schedule per source.
  const std::string id = schedule({{"sourceId", src}, {"cron", "@hourly"}});
  const Reply again = post("/schedules", {{"sourceId", src}, {"cron", "@daily"}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.json()["error"]["code"], "SCHEDULE_EXISTS");
  EXPECT_EQ(again.json()["error"]["details"]["existingId"], id);
  // Another tenant sees none of it.
  EXPECT_EQ(call("GET", "/schedules/" + id, "", {}, "t2").status, 404);
  EXPECT_EQ(call("GET", "/schedules/not-a-uuid").status, 404);
}

TEST_F(SchedulesTest, PreviewAnswersFireTimesAcrossDstAndCreatesNothing) {
  // What exists before, kept in the database to compare with after.
  const std::string count_rows =
      "(SELECT count(*) FROM scheduler.schedules) + (SELECT count(*) FROM scheduler.runs)";
  ops_->sql("CREATE TABLE public.preview_counts AS SELECT " + count_rows + " AS n");
  const Reply r = post("/schedules/preview", {{"cron", "30 2 * * *"},
                                              {"timeZone", "Europe/Berlin"},
                                              {"from", "2027-03-26T00:00:00Z"},
                                              {"count", 4}});
  ASSERT_EQ(r.status, 200) << r.body;
  // 2027-03-28: 02:30 does not exist in Berlin; the fire is at the end of the gap (03:00 CEST).
  EXPECT_EQ(r.json()["fires"], json::array({"2027-03-26T01:30:00Z", "2027-03-27T01:30:00Z",
                                            "2027-03-28T01:00:00Z", "2027-03-29T00:30:00Z"}));
  const Reply fold = post("/schedules/preview", {{"cron", "30 1 * * *"},
                                                 {"timeZone", "America/New_York"},
                                                 {"from", "2027-11-06T00:00:00Z"},
                                                 {"count", 2}});
  ASSERT_EQ(fold.status, 200) << fold.body;
  // 2027-11-07 01:30 occurs twice in New York: the first (EDT, 05:30Z) fires, once.
  EXPECT_EQ(fold.json()["fires"], json::array({"2027-11-06T05:30:00Z", "2027-11-07T05:30:00Z"}));
  const Reply never = post("/schedules/preview", {{"cron", "0 0 30 2 *"}});
  ASSERT_EQ(never.status, 200) << never.body;
  EXPECT_EQ(never.json()["fires"], json::array());
  const Reply bad = post("/schedules/preview", {{"cron", "0 24 * * *"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json()["error"]["details"]["field"], "cron");
  EXPECT_NE(bad.json()["error"]["message"].get<std::string>().find("field 2 (hour)"),
            std::string::npos);
  EXPECT_TRUE(ops_->holds("(SELECT n FROM public.preview_counts) = " + count_rows));
}

TEST_F(SchedulesTest, TriggerStartsARunAndIsRefusedWhenBusyOrPaused) {
  const std::string src = source("sched:trigger");
  const std::string id = schedule({{"sourceId", src}, {"cron", "0 0 1 1 *"}});
  const Reply first = post("/schedules/" + id + "/trigger", json::object());
  ASSERT_EQ(first.status, 202) << first.body;
  const json t = first.json();
  EXPECT_EQ(t["jobType"], "sched.fetch");
  EXPECT_EQ(t["status"], "queued");
  const Reply run = call("GET", "/runs/" + t["runId"].get<std::string>());
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json()["kind"], "schedule");
  const Reply job = call("GET", "/jobs/" + t["jobId"].get<std::string>());
  ASSERT_EQ(job.status, 200) << job.body;
  EXPECT_EQ(job.json()["payload"]["trigger"], "trigger");
  EXPECT_EQ(job.json()["payload"]["scheduleId"], id);
  EXPECT_TRUE(ops_->holds(fires(id, "triggered") + " = 1"));
  EXPECT_TRUE(
      ops_->holds("EXISTS (SELECT 1 FROM jobengine.events WHERE event_type = "
                  "'schedule.triggered' AND source_id = '" +
                  src + "')"));

  // maxParallelRuns 1 and the first run is still queued (nothing handles sched.fetch).
  const Reply busy = post("/schedules/" + id + "/trigger", json::object());
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(busy.json()["error"]["code"], "SCHEDULE_BUSY");
  EXPECT_EQ(busy.json()["error"]["details"]["activeRuns"], 1);

  ASSERT_EQ(post("/sources/" + src + "/pause", json::object()).status, 200);
  const Reply paused = post("/schedules/" + id + "/trigger", json::object());
  EXPECT_EQ(paused.status, 409) << paused.body;
  EXPECT_EQ(paused.json()["error"]["code"], "SOURCE_PAUSED");
  EXPECT_TRUE(ops_->holds(fires(id, "triggered") + " = 1"));
}

TEST_F(SchedulesTest, TheLeaderFiresMissedFiresByCatchUpAndNeverTwice) {
  // catchUp all: every minute missed during a 3-minute "outage" gets its run.
  const std::string all_src = source("sched:all");
  const std::string all = schedule(
      {{"sourceId", all_src}, {"cron", "* * * * *"}, {"catchUp", "all"}, {"maxParallelRuns", 100}});
  // catchUp one: only the newest; the older ones are recorded as skipped.
  const std::string one_src = source("sched:one");
  const std::string one = schedule({{"sourceId", one_src}, {"cron", "* * * * *"}});
  // maxLagMinutes 2 with all: fires older than two minutes are skipped.
  const std::string lag_src = source("sched:lag");
  const std::string lag = schedule({{"sourceId", lag_src},
                                    {"cron", "* * * * *"},
                                    {"catchUp", "all"},
                                    {"maxLagMinutes", 2},
                                    {"maxParallelRuns", 100}});
  // A paused source: its due fire is recorded as skipped, no run.
  const std::string paused_src = source("sched:paused");
  const std::string paused = schedule({{"sourceId", paused_src}, {"cron", "* * * * *"}});
  ASSERT_EQ(post("/sources/" + paused_src + "/pause", json::object()).status, 200);

  for (const std::string& id : {all, one, lag, paused}) {
    pretendDownFor(id, 5, 30);
  }
  // Minutes in (now - 5m30s truncated, now]: at least 5 whole-minute fires each.
  ASSERT_TRUE(eventually(fires(all, "fired") + " >= 5")) << "catchUp all never fired";
  // (A minute boundary passing meanwhile adds one regular fire: the bounds allow it.)
  ASSERT_TRUE(
      eventually(fires(one, "fired") + " BETWEEN 1 AND 2 AND " + fires(one, "skipped") + " >= 4"));
  ASSERT_TRUE(
      eventually(fires(lag, "fired") + " BETWEEN 2 AND 4 AND " + fires(lag, "skipped") + " >= 2"));
  ASSERT_TRUE(
      eventually(fires(paused, "fired") + " = 0 AND " + fires(paused, "skipped") + " >= 1"));
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.runs WHERE source_id = '" + all_src +
                          "' AND kind = 'schedule') = " + fires(all, "fired")));
  EXPECT_TRUE(
      ops_->holds("(SELECT count(*) FROM jobengine.events WHERE event_type = "
                  "'schedule.fired' AND source_id = '" +
                  all_src + "') = " + fires(all, "fired")));
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.schedule_fires WHERE schedule_id = '" +
                          paused + "' AND reason = 'source_paused')"));
  EXPECT_TRUE(ops_->holds("EXISTS (SELECT 1 FROM scheduler.schedule_fires WHERE schedule_id = '" +
                          lag + "' AND reason = 'max_lag')"));
  // The schedule moved on: lastFiredAt is a fire, nextFireAt in the future.
  const json after = call("GET", "/schedules/" + all).json();
  EXPECT_TRUE(after["lastFiredAt"].is_string()) << after;
  EXPECT_TRUE(ops_->holds("(SELECT next_fire_at > now() FROM scheduler.schedules WHERE id = '" +
                          all + "')"));

  // Going back in time again (a replica that took over with an old view) decides nothing
  // twice: the same fire times are already recorded.
  ops_->sql(
      "UPDATE scheduler.schedules SET planned_through = (SELECT min(fire_at) - interval '1 "
      "second' FROM scheduler.schedule_fires WHERE schedule_id = '" +
      all + "'), next_fire_at = now() - interval '1 second' WHERE id = '" + all + "'");
  ASSERT_TRUE(
      eventually("(SELECT next_fire_at > now() AND planned_through > now() - interval "
                 "'5 seconds' FROM scheduler.schedules WHERE id = '" +
                 all + "')"));
  // Every run the schedule made has a distinct fire time; none was made twice.
  EXPECT_TRUE(ops_->holds("(SELECT count(*) FROM scheduler.jobs WHERE source_id = '" + all_src +
                          "') = (SELECT count(DISTINCT payload->>'fireAt') FROM scheduler.jobs "
                          "WHERE source_id = '" +
                          all_src + "')"));
}

}  // namespace
}  // namespace jobengine::testing
