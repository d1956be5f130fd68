// Schedules on three real engine replicas sharing one database (issue 13, SPEC §9): only the
// leader fires; after the leader is SIGKILLed the new leader keeps firing and no fire time is
// ever decided twice, even when the new leader re-plans fires the old one already made; and a
// daily schedule across the 2026 DST changes of Europe/Berlin and America/New_York fires at
// the local times plugins/scheduler/docs/schedules.md documents.
//
// Time: the replicas run on the real clock. An outage is played by moving a schedule's
// planning position (planned_through) into the past, which is exactly the state a leader finds
// after the engines were down: it then decides every fire since, by the schedule's catch-up
// rule. The DST cases use that to replay March and October 2026.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine_process.hpp"
#include "http_client.hpp"
#include "pg_fixture.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kApi = "/api/v1/jobengine";

class ScheduleReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    replicas_ = std::make_unique<Replicas>("schedule_replicas", 3, "");
    dsn_ = replicas_->dsn();
    for (size_t i = 0; i < replicas_->size(); ++i) {
      http_.push_back(std::make_unique<HttpClient>((*replicas_)[i].restPort()));
    }
    const std::string token =
        (*replicas_)[0].mintToken("t1", "orch:read orch:operate orch:quota orch:backfill");
    headers_ = {"Authorization: Bearer " + token, "X-StellaOps-Tenant: t1",
                "X-StellaOps-Operator-Reason: system test", "Content-Type: application/json"};
  }

  Reply call(size_t replica, const std::string& method, const std::string& path,
             const json& body = nullptr) {
    return http_[replica]->call(method, std::string(kApi) + path, body.is_null() ? "" : body.dump(),
                                headers_, 10000);
  }
  // A source of a kind nothing handles (its runs stay queued) and its schedule.
  std::string schedule(size_t replica, const std::string& name, const json& fields) {
    const Reply s = call(replica, "POST", "/sources", {{"name", name}, {"kind", "sysched"}});
    EXPECT_EQ(s.status, 201) << s.body;
    json body = fields;
    body["sourceId"] = s.json()["id"];
    const Reply r = call(replica, "POST", "/schedules", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  pqxx::result query(const std::string& sql) {
    pqxx::connection c(dsn_);
    pqxx::nontransaction n(c);
    return n.exec(sql);
  }
  int64_t count(const std::string& sql) { return query(sql)[0][0].as<int64_t>(); }
  // The fire times recorded as `fired` for a schedule, RFC 3339 UTC to the second.
  std::vector<std::string> firedTimes(const std::string& schedule_id) {
    std::vector<std::string> out;
    for (const auto& row :
         query("SELECT to_char(fire_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
               "scheduler.schedule_fires WHERE schedule_id = '" +
               schedule_id + "' AND outcome = 'fired' ORDER BY fire_at")) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  }
  // Plays an outage: the schedule's fires after `since` are undecided and it is due now.
  void undecidedSince(const std::string& schedule_id, const std::string& since_sql) {
    query("UPDATE scheduler.schedules SET planned_through = " + since_sql +
          ", next_fire_at = now() - interval '1 second' WHERE id = '" + schedule_id + "'");
  }
  bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (condition()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }
  int64_t epochOf(size_t replica) {
    return call(replica, "GET", "/leader").json().value("epoch", int64_t{-1});
  }
  std::optional<size_t> leader() {
    for (size_t i = 0; i < replicas_->size(); ++i) {
      if (!(*replicas_)[i].running()) {
        continue;
      }
      const Reply r = call(i, "GET", "/leader");
      if (r.status == 200 && r.json().value("leader", false)) {
        return i;
      }
    }
    return std::nullopt;
  }
  // Planned up to date: the leader decided every fire up to about now.
  bool caughtUp(const std::string& schedule_id) {
    return count("SELECT count(*) FROM scheduler.schedules WHERE id = '" + schedule_id +
                 "' AND next_fire_at > now() AND planned_through > now() - interval '10 "
                 "seconds'") == 1;
  }
  // No fire time of the schedule has more than one decision, and every fired one has exactly
  // one run (runs carry their fire time in the job payload).
  void expectNoFireTwice(const std::string& schedule_id) {
    EXPECT_EQ(count("SELECT count(*) FROM (SELECT j.payload->>'fireAt' FROM scheduler.jobs j "
                    "WHERE j.payload->>'scheduleId' = '" +
                    schedule_id + "' GROUP BY 1 HAVING count(*) > 1) d"),
              0)
        << "a fire time has two runs";
    EXPECT_EQ(count("SELECT count(*) FROM scheduler.jobs WHERE payload->>'scheduleId' = '" +
                    schedule_id + "' AND payload->>'trigger' = 'schedule'"),
              count("SELECT count(*) FROM scheduler.schedule_fires WHERE schedule_id = '" +
                    schedule_id + "' AND outcome = 'fired'"));
  }

  std::string dsn_;
  std::unique_ptr<Replicas> replicas_;
  std::vector<std::unique_ptr<HttpClient>> http_;  // one per replica, for the test thread
  std::vector<std::string> headers_;
};

TEST_F(ScheduleReplicasTest, OnlyTheLeaderFiresAndANewLeaderNeverFiresTwice) {
  ASSERT_TRUE(eventually([&] { return leader().has_value(); }, std::chrono::seconds(15)));
  const size_t old_leader = *leader();
  const size_t other = (old_leader + 1) % replicas_->size();
  const std::string id =
      schedule(other, "sys:every-minute",
               {{"cron", "* * * * *"}, {"catchUp", "all"}, {"maxParallelRuns", 1000}});
  // Ten minutes of "outage": ten or eleven whole-minute fires, each exactly once.
  undecidedSince(id, "date_trunc('minute', now()) - interval '10 minutes' + interval '1 second'");
  ASSERT_TRUE(eventually([&] { return caughtUp(id); }, std::chrono::seconds(20)));
  const auto before_kill = firedTimes(id);
  EXPECT_GE(before_kill.size(), 10u);
  expectNoFireTwice(id);
  // Every decision was the leader's: it records the epoch its round was fenced with.
  const int64_t old_epoch = epochOf(old_leader);
  EXPECT_EQ(count("SELECT count(*) FROM scheduler.schedule_fires WHERE schedule_id = '" + id +
                  "' AND leader_epoch IS DISTINCT FROM " + std::to_string(old_epoch)),
            0);

  // SIGKILL the leader; a new one takes over.
  (*replicas_)[old_leader].signal(SIGKILL);
  ASSERT_TRUE(eventually(
      [&] {
        const auto l = leader();
        return l.has_value() && *l != old_leader;
      },
      std::chrono::seconds(20)))
      << "no new leader after SIGKILL";
  // The new leader re-plans from before the old leader's fires (as if it had an old view):
  // it must find them decided and create nothing for them; the minutes since still fire.
  undecidedSince(id, "date_trunc('minute', now()) - interval '15 minutes' + interval '1 second'");
  ASSERT_TRUE(eventually([&] { return caughtUp(id); }, std::chrono::seconds(20)));
  const auto after = firedTimes(id);
  EXPECT_GE(after.size(), 15u);
  for (const auto& t : before_kill) {
    EXPECT_EQ(std::count(after.begin(), after.end(), t), 1) << t;
  }
  expectNoFireTwice(id);
  // The fires the old leader made keep its epoch; the new ones carry the new leader's.
  const int64_t new_epoch = epochOf(*leader());
  EXPECT_GT(new_epoch, old_epoch);
  EXPECT_EQ(count("SELECT count(*) FROM scheduler.schedule_fires WHERE schedule_id = '" + id +
                  "' AND leader_epoch = " + std::to_string(old_epoch)),
            static_cast<int64_t>(before_kill.size()));
  EXPECT_EQ(count("SELECT count(*) FROM scheduler.schedule_fires WHERE schedule_id = '" + id +
                  "' AND leader_epoch = " + std::to_string(new_epoch)),
            static_cast<int64_t>(after.size() - before_kill.size()));
  std::cout << "fires before the kill: " << before_kill.size()
            << ", after re-planning 15 minutes on the new leader: " << after.size() << "\n";
}

TEST_F(ScheduleReplicasTest, DstChangesOf2026FireAtTheDocumentedLocalTimes) {
  ASSERT_TRUE(eventually([&] { return leader().has_value(); }, std::chrono::seconds(15)));
  const json daily_all = {{"catchUp", "all"}, {"maxParallelRuns", 1000}};
  const auto with = [&](json fields, const char* cron, const char* zone) {
    fields["cron"] = cron;
    fields["timeZone"] = zone;
    return fields;
  };
  const std::string berlin_spring =
      schedule(0, "sys:berlin-spring", with(daily_all, "30 2 * * *", "Europe/Berlin"));
  const std::string berlin_fall =
      schedule(1, "sys:berlin-fall", with(daily_all, "30 2 * * *", "Europe/Berlin"));
  const std::string ny_spring =
      schedule(2, "sys:ny-spring", with(daily_all, "30 2 * * *", "America/New_York"));
  const std::string ny_fall =
      schedule(0, "sys:ny-fall", with(daily_all, "30 1 * * *", "America/New_York"));
  undecidedSince(berlin_spring, "'2026-03-27T12:00:00Z'");
  undecidedSince(berlin_fall, "'2026-10-24T12:00:00Z'");
  undecidedSince(ny_spring, "'2026-03-06T12:00:00Z'");
  undecidedSince(ny_fall, "'2026-10-30T12:00:00Z'");
  for (const auto& id : {berlin_spring, berlin_fall, ny_spring, ny_fall}) {
    ASSERT_TRUE(eventually([&] { return caughtUp(id); }, std::chrono::seconds(30))) << id;
    expectNoFireTwice(id);
  }
  const auto first = [&](const std::string& id, size_t n) {
    auto t = firedTimes(id);
    t.resize(std::min(n, t.size()));
    return t;
  };
  // Berlin, 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist; it fires at 03:00 CEST.
  EXPECT_EQ(first(berlin_spring, 3),
            (std::vector<std::string>{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z",
                                      "2026-03-30T00:30:00Z"}));
  // Berlin, 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 occurs twice; only the first (CEST).
  EXPECT_EQ(first(berlin_fall, 3),
            (std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z",
                                      "2026-10-27T01:30:00Z"}));
  // New York, 2026-03-08 02:00 EST -> 03:00 EDT: 02:30 fires at 03:00 EDT (07:00Z).
  EXPECT_EQ(first(ny_spring, 3),
            (std::vector<std::string>{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z",
                                      "2026-03-09T06:30:00Z"}));
  // New York, 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 occurs twice; only the first (EDT).
  EXPECT_EQ(first(ny_fall, 3),
            (std::vector<std::string>{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z",
                                      "2026-11-02T06:30:00Z"}));
}

}  // namespace
}  // namespace jobengine::testing
