// Three engine replicas on one database and je.leader (issue 11, DESIGN §6, docs/leader.md):
// exactly one of them reports leader at every sampled moment; SIGKILL of the leader gives
// another one leadership with a higher epoch within 5 s; a write fenced with the old epoch
// (jobengine.leader_epoch_is_current_v1, run as the app role in a tenant-bound transaction)
// changes nothing while the current epoch changes its row; pg_terminate_backend of the
// leader's session makes it step down (its "lost" transition is counted) and someone leads
// again with a higher epoch; a SIGTERMed leader hands over on its way out. Real binaries, the
// default check interval (500 ms), deadlines far above what any step needs.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <vector>

#include "dev_token.hpp"
#include "engine_process.hpp"
#include "http_client.hpp"
#include "pg_fixture.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// host/src/leader/leader_store.hpp: kLeaderLockKey ("JobLead").
constexpr int64_t kLeaderLockKey = 0x4A6F624C656164;

struct Replica {
  std::unique_ptr<EngineProcess> engine;
  std::unique_ptr<HttpClient> http;
};

struct View {
  bool leader = false;
  int64_t epoch = 0;
  std::string replica_id;
  std::string holder;
};

class LeaderReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsn_ = ThrowawayPostgres::instance().createDatabase("leader_replicas");
    for (const char* name : {"leader_a", "leader_b", "leader_c"}) {
      EngineOptions o;
      o.name = name;
      o.database_dsn = dsn_;
      Replica r;
      r.engine = std::make_unique<EngineProcess>(o);
      r.engine->start();
      r.http = std::make_unique<HttpClient>(r.engine->restPort());
      replicas_.push_back(std::move(r));
    }
    auth_ = {"Authorization: Bearer " + devToken("ops", "orch:read")};
  }

  // A replica's view of the leadership. The test samples three replicas every 20 ms; on a
  // saturated CI machine (the ASan build, four system tests at once) one answer once took
  // longer than the 5 s timeout, so a transport failure (status 0) is asked again, twice,
  // before it counts: what is under test is who leads, not how fast a loaded replica answers.
  View view(Replica& r) const {
    Reply reply = r.http->call("GET", "/api/v1/jobengine/leader", "", auth_, 5000);
    for (int retry = 0; retry < 2 && reply.status == 0 && r.engine->running(); ++retry) {
      reply = r.http->call("GET", "/api/v1/jobengine/leader", "", auth_, 5000);
    }
    EXPECT_EQ(reply.status, 200) << reply.body << reply.error;
    const json j = reply.json();
    View v;
    if (!j.is_object()) {
      return v;
    }
    v.leader = j.value("leader", false);
    v.epoch = j.value("epoch", int64_t{0});
    v.replica_id = j.value("replicaId", "");
    v.holder = j["holder"].is_string() ? j["holder"].get<std::string>() : "";
    return v;
  }

  // Indices of the replicas (among the running ones) that report leader right now.
  std::vector<size_t> leaders() {
    std::vector<size_t> out;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      if (replicas_[i].engine->running() && view(replicas_[i]).leader) {
        out.push_back(i);
      }
    }
    return out;
  }

  // Waits until exactly one running replica leads with an epoch above `above`; returns it.
  // strict: no sample may show two leaders. Not strict only while a leader whose session was
  // killed has not noticed yet (up to one check interval, docs/leader.md: fencing covers it).
  std::optional<size_t> awaitLeader(int64_t above, seconds timeout, bool strict = true) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const auto now = leaders();
      if (strict) {
        EXPECT_LE(now.size(), 1u) << "two replicas report leader at once";
      }
      if (now.size() == 1 && view(replicas_[now[0]]).epoch > above) {
        return now[0];
      }
      std::this_thread::sleep_for(milliseconds(25));
    }
    return std::nullopt;
  }

  std::string adminOne(const std::string& sql) const {
    pqxx::connection c(dsn_);
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }

  // The server pid of the session holding the leadership lock ("" when none does).
  std::string lockHolderPid() const {
    const std::string key = std::to_string(kLeaderLockKey);
    return adminOne(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND objsubid = 1 AND classid = (" +
        key + "::bigint >> 32)::oid AND objid = (" + key + "::bigint & 4294967295)::oid");
  }

  // The fenced write a plugin would make: the app role, a tenant-bound transaction.
  long fencedUpdate(int64_t epoch) const {
    pqxx::connection c(dsn_);
    pqxx::work w(c);
    w.exec("SET LOCAL ROLE jobengine_app");
    w.exec("SELECT set_config('jobengine.tenant', 'ops', true)");
    const pqxx::result r = w.exec_params(
        "UPDATE public.fence_probe SET v = v + 1 WHERE id = 1 AND "
        "jobengine.leader_epoch_is_current_v1($1::bigint)",
        epoch);
    w.commit();
    return static_cast<long>(r.affected_rows());
  }

  std::string metrics(Replica& r) const { return r.http->call("GET", "/metrics").body; }

  std::string dsn_;
  std::vector<Replica> replicas_;
  std::vector<std::string> auth_;
};

TEST_F(LeaderReplicasTest, OneLeaderFailoverWithAHigherEpochAndFencedWritesOfTheOldOne) {
  // 1. Exactly one leader, the same one, at every sample for 3 s; followers know who leads.
  const auto first = awaitLeader(0, seconds(30));
  ASSERT_TRUE(first.has_value()) << "no leader after 30 s";
  const View first_view = view(replicas_[*first]);
  std::set<std::string> ids;
  int samples = 0;
  for (const auto until = Clock::now() + seconds(3); Clock::now() < until; ++samples) {
    int leading = 0;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      const View v = view(replicas_[i]);
      ids.insert(v.replica_id);
      if (v.leader) {
        ++leading;
        EXPECT_EQ(i, *first);
        EXPECT_EQ(v.epoch, first_view.epoch);
      }
    }
    ASSERT_EQ(leading, 1) << "sample " << samples;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(ids.size(), 3u) << "replica ids must differ";
  for (auto& r : replicas_) {
    const auto deadline = Clock::now() + seconds(10);
    while (view(r).holder != first_view.replica_id && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    EXPECT_EQ(view(r).holder, first_view.replica_id);
  }
  std::cout << samples << " samples of 3 replicas, one leader each time (epoch " << first_view.epoch
            << ")\n";

  // 2. SIGKILL the leader: another one leads with a higher epoch within 5 s.
  const auto killed_at = Clock::now();
  replicas_[*first].engine->signal(SIGKILL);
  ASSERT_NE(replicas_[*first].engine->wait(seconds(30)), -1);
  const auto second = awaitLeader(first_view.epoch, seconds(5));
  ASSERT_TRUE(second.has_value()) << "no new leader within 5 s of SIGKILL";
  const auto failover_ms =
      std::chrono::duration_cast<milliseconds>(Clock::now() - killed_at).count();
  const View second_view = view(replicas_[*second]);
  EXPECT_GT(second_view.epoch, first_view.epoch);
  std::cout << "SIGKILL of the leader -> new leader (epoch " << second_view.epoch << ") after "
            << failover_ms << " ms\n";

  // 3. A write fenced with the old epoch changes nothing; with the current one it does.
  ThrowawayPostgres::instance().execAdmin(
      "leader_replicas",
      "CREATE TABLE public.fence_probe (id int PRIMARY KEY, v int NOT NULL); "
      "INSERT INTO public.fence_probe VALUES (1, 0); "
      "GRANT SELECT, UPDATE ON public.fence_probe TO jobengine_app");
  EXPECT_EQ(fencedUpdate(first_view.epoch), 0);
  EXPECT_EQ(fencedUpdate(second_view.epoch), 1);
  EXPECT_EQ(adminOne("SELECT v FROM public.fence_probe"), "1");

  // 4. Kill the leader's session: it steps down (its lost transition is counted) and someone,
  // maybe itself after reconnecting, leads with a higher epoch.
  const std::string pid = lockHolderPid();
  ASSERT_FALSE(pid.empty());
  EXPECT_EQ(adminOne("SELECT pg_terminate_backend(" + pid + ")"), "t");
  const auto lost_deadline = Clock::now() + seconds(15);
  const std::string lost_line = "jobengine_leader_transitions_total{change=\"lost\"} 1";
  while (metrics(replicas_[*second]).find(lost_line) == std::string::npos &&
         Clock::now() < lost_deadline) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  EXPECT_NE(metrics(replicas_[*second]).find(lost_line), std::string::npos)
      << metrics(replicas_[*second]);
  const auto third = awaitLeader(second_view.epoch, seconds(15), false);
  ASSERT_TRUE(third.has_value()) << "no leader after the leader's session was terminated";
  const View third_view = view(replicas_[*third]);
  EXPECT_GT(third_view.epoch, second_view.epoch);
  EXPECT_EQ(fencedUpdate(second_view.epoch), 0);
  EXPECT_EQ(fencedUpdate(third_view.epoch), 1);
  std::cout << "pg_terminate_backend of the leader's session -> leader "
            << (third == second ? "re-elected" : "changed") << " (epoch " << third_view.epoch
            << ")\n";

  // 5. A graceful stop of the leader hands over on its way out.
  ASSERT_EQ(replicas_[*third].engine->stop(SIGTERM), 0) << replicas_[*third].engine->output();
  const auto fourth = awaitLeader(third_view.epoch, seconds(15));
  ASSERT_TRUE(fourth.has_value()) << "no leader after the leader stopped";
  const View fourth_view = view(replicas_[*fourth]);

  // Every election left one leader.elected event (tenant "system"), epochs in commit order.
  pqxx::connection c(dsn_);
  pqxx::nontransaction n(c);
  std::vector<int64_t> epochs;
  for (const auto& row :
       n.exec("SELECT tenant_id, (body->'data'->>'epoch')::bigint FROM jobengine.events "
              "WHERE event_type = 'leader.elected' ORDER BY seq")) {
    EXPECT_EQ(row[0].as<std::string>(), "system");
    epochs.push_back(row[1].as<int64_t>());
  }
  ASSERT_FALSE(epochs.empty());
  for (size_t i = 0; i < epochs.size(); ++i) {
    EXPECT_EQ(epochs[i], static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(epochs.back(), fourth_view.epoch);
  EXPECT_EQ(adminOne("SELECT epoch FROM jobengine.leader"), std::to_string(fourth_view.epoch));
  for (auto& r : replicas_) {
    if (r.engine->running()) {
      EXPECT_EQ(r.engine->stop(SIGTERM), 0) << r.engine->output();
    }
  }
}

}  // namespace
}  // namespace jobengine::testing
