// The leader elector (host/src/leader, docs/leader.md) against a real PostgreSQL: election
// with an epoch and a leader.elected event, exactly one leader among several electors, hand
// over on stop and on a terminated session, the fencing function from any transaction, an
// election waiting for a fenced writer's commit, and je.leader v1 through its C vtable (the
// pure rules: leader_rules_test.cpp). Electors check every 100 ms; every wait has a generous
// deadline.
#include "leader/leader_elector.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "core/host_handle.hpp"
#include "leader/leader_rules.hpp"
#include "leader/leader_service.hpp"
#include "metrics/metrics_registry.hpp"
#include "pg_fixture.hpp"
#include "store/database.hpp"
#include "store/migrator.hpp"
#include "store/store.hpp"

using namespace jobengine::host;  // NOLINT(google-build-using-namespace): test brevity
using jobengine::testing::ThrowawayPostgres;

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kInterval{100};
constexpr seconds kDeadline{15};

template <typename Pred>
bool eventually(Pred pred, seconds timeout = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

// (is_leader, epoch) calls seen by one watcher.
struct Calls {
  std::mutex mutex;
  std::vector<std::pair<bool, int64_t>> seen;
  void add(bool leader, int64_t epoch) {
    const std::lock_guard<std::mutex> lock(mutex);
    seen.emplace_back(leader, epoch);
  }
  std::vector<std::pair<bool, int64_t>> get() {
    const std::lock_guard<std::mutex> lock(mutex);
    return seen;
  }
  static void cCallback(void* user, int32_t is_leader, int64_t epoch) {
    static_cast<Calls*>(user)->add(is_leader != 0, epoch);
  }
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& pg = ThrowawayPostgres::instance();
    db_ = "leader_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    admin_dsn_ = pg.createDatabase(db_);
    bootstrapDatabase(admin_dsn_, "", "jobengine_app");
    Migrator(
        MigratorOptions{admin_dsn_, std::string(JE_SOURCE_DIR) + "/migrations", "jobengine_app"})
        .apply({"host"});
    app_dsn_ = pg.cluster().dsn("jobengine_app", db_);
  }

  std::unique_ptr<LeaderElector> elector(const std::string& replica,
                                         MetricsRegistry* metrics = nullptr) {
    LeaderElectorOptions options;
    options.store = StoreOptions{app_dsn_, "", 1};
    options.replica_id = replica;
    options.check_interval = kInterval;
    return std::make_unique<LeaderElector>(std::move(options), metrics);
  }

  std::string adminOne(const std::string& sql) const {
    pqxx::connection c(admin_dsn_);
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }
  int64_t storedEpoch() const { return std::stoll(adminOne("SELECT epoch FROM jobengine.leader")); }
  // Server pids holding the leadership lock (pg_locks), as the tests see it from outside.
  std::string lockHolders() const {
    return adminOne(
        "SELECT string_agg(pid::text, ',') FROM pg_locks WHERE locktype = 'advisory' AND "
        "granted AND objsubid = 1 AND classid = (" +
        std::to_string(kLeaderLockKey) + "::bigint >> 32)::oid AND objid = (" +
        std::to_string(kLeaderLockKey) + "::bigint & 4294967295)::oid");
  }

  // The one leader among electors (nullptr when none or several).
  static LeaderElector* theLeader(const std::vector<std::unique_ptr<LeaderElector>>& all) {
    LeaderElector* found = nullptr;
    for (const auto& e : all) {
      if (e->isLeader()) {
        if (found != nullptr) {
          return nullptr;
        }
        found = e.get();
      }
    }
    return found;
  }

  std::string db_;
  std::string admin_dsn_;
  std::string app_dsn_;
};

TEST_F(LeaderElectorTest, ASingleElectorLeadsWithEpochOneAndAppendsLeaderElected) {
  MetricsRegistry metrics;
  auto a = elector("replica-a", &metrics);
  EXPECT_NE(metrics.serialize().find("jobengine_leader_is_leader 0"), std::string::npos);
  a->start();
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  int64_t epoch = 0;
  EXPECT_TRUE(a->isLeader(&epoch));
  EXPECT_EQ(epoch, 1);
  EXPECT_EQ(storedEpoch(), 1);
  EXPECT_EQ(adminOne("SELECT holder FROM jobengine.leader"), "replica-a");
  const LeaderStatus status = a->status();
  EXPECT_TRUE(status.leader);
  EXPECT_EQ(status.epoch, 1);
  EXPECT_EQ(status.replica_id, "replica-a");
  EXPECT_EQ(status.holder, std::optional<std::string>("replica-a"));

  // The event committed with the epoch, bound to the "system" tenant.
  EXPECT_EQ(adminOne("SELECT count(*) FROM jobengine.events WHERE event_type = 'leader.elected'"),
            "1");
  EXPECT_EQ(adminOne("SELECT tenant_id || ' ' || (b->'data'->>'epoch') || ' ' || "
                     "(b->'data'->>'replicaId') || ' ' || (b->'actor'->>'subject') "
                     "FROM (SELECT e.tenant_id, jobengine.event_body(e)::jsonb AS b "
                     "FROM jobengine.events e WHERE e.event_type = 'leader.elected') x"),
            "system 1 replica-a system:host");

  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("jobengine_leader_is_leader 1"), std::string::npos) << text;
  EXPECT_NE(text.find("jobengine_leader_epoch 1"), std::string::npos) << text;
  EXPECT_NE(text.find("jobengine_leader_transitions_total{change=\"gained\"} 1"), std::string::npos)
      << text;

  // The leader keeps leading across many checks; the lock belongs to its session.
  std::this_thread::sleep_for(kInterval * 5);
  EXPECT_TRUE(a->isLeader(&epoch));
  EXPECT_EQ(epoch, 1);
  EXPECT_EQ(lockHolders(), std::to_string(a->sessionBackendPid()));

  a->stop();
  EXPECT_FALSE(a->isLeader());
  EXPECT_EQ(lockHolders(), "");  // released when stop() returns, not later
  const std::string after = metrics.serialize();
  EXPECT_NE(after.find("jobengine_leader_is_leader 0"), std::string::npos) << after;
  EXPECT_NE(after.find("jobengine_leader_transitions_total{change=\"lost\"} 1"), std::string::npos)
      << after;
}

TEST_F(LeaderElectorTest, ExactlyOneOfThreeLeadsAndAStoppedLeaderHandsOver) {
  Calls calls;  // outlives the electors
  std::vector<std::unique_ptr<LeaderElector>> all;
  for (const char* id : {"r1", "r2", "r3"}) {
    all.push_back(elector(id));
    all.back()->start();
  }
  ASSERT_TRUE(eventually([&] { return theLeader(all) != nullptr; }));
  for (int i = 0; i < 50; ++i) {  // 1 s of samples, ten per check interval
    int leaders = 0;
    for (const auto& e : all) {
      leaders += e->isLeader() ? 1 : 0;
    }
    ASSERT_EQ(leaders, 1) << "sample " << i;
    std::this_thread::sleep_for(milliseconds(20));
  }
  LeaderElector* first = theLeader(all);
  ASSERT_NE(first, nullptr);
  int64_t first_epoch = 0;
  first->isLeader(&first_epoch);
  first->watch([&calls](bool leader, int64_t epoch) { calls.add(leader, epoch); });
  ASSERT_TRUE(eventually([&] { return !calls.get().empty(); }));  // primed: (1, epoch)
  EXPECT_EQ(calls.get().front(), std::make_pair(true, first_epoch));

  first->stop();
  EXPECT_EQ(calls.get().back(), std::make_pair(false, first_epoch));  // "lost" before stop returns
  LeaderElector* second = nullptr;
  ASSERT_TRUE(eventually([&] {
    second = theLeader(all);
    return second != nullptr;
  }));
  EXPECT_NE(second, first);
  int64_t second_epoch = 0;
  second->isLeader(&second_epoch);
  EXPECT_EQ(second_epoch, first_epoch + 1);
  EXPECT_EQ(storedEpoch(), second_epoch);
  EXPECT_EQ(adminOne("SELECT count(*) FROM jobengine.events WHERE event_type = 'leader.elected'"),
            "2");
  // The non-leader knows who leads.
  for (const auto& e : all) {
    if (e.get() != second && e.get() != first) {
      ASSERT_TRUE(eventually([&] { return e->status().epoch == second_epoch; }));
      EXPECT_FALSE(e->status().leader);
      EXPECT_EQ(e->status().holder, std::optional<std::string>(second->replicaId()));
    }
  }
}

TEST_F(LeaderElectorTest, ATerminatedSessionStepsDownAndSomeoneLeadsWithAHigherEpoch) {
  Calls calls[2];  // outlives the electors, which call it until they stop
  std::vector<std::unique_ptr<LeaderElector>> all;
  all.push_back(elector("t1"));
  all.push_back(elector("t2"));
  for (int i = 0; i < 2; ++i) {
    Calls* c = &calls[i];
    all[static_cast<size_t>(i)]->watch([c](bool leader, int64_t epoch) { c->add(leader, epoch); });
    all[static_cast<size_t>(i)]->start();
  }
  LeaderElector* leader = nullptr;
  ASSERT_TRUE(eventually([&] {
    leader = theLeader(all);
    return leader != nullptr;
  }));
  const size_t index = leader == all[0].get() ? 0 : 1;
  int64_t old_epoch = 0;
  leader->isLeader(&old_epoch);
  const std::string pid = lockHolders();
  ASSERT_EQ(pid, std::to_string(leader->sessionBackendPid()));
  EXPECT_EQ(adminOne("SELECT pg_terminate_backend(" + pid + ")"), "t");

  // The old leader notices at its next check: the watcher hears (0, old epoch).
  ASSERT_TRUE(eventually([&] {
    const auto seen = calls[index].get();
    return !seen.empty() && seen.back() == std::make_pair(false, old_epoch);
  })) << "no lost callback";
  // Somebody (either, the old one after reconnecting included) leads with a higher epoch.
  int64_t new_epoch = 0;
  ASSERT_TRUE(eventually([&] {
    LeaderElector* l = theLeader(all);
    return l != nullptr && l->isLeader(&new_epoch) && new_epoch > old_epoch;
  }));
  EXPECT_EQ(storedEpoch(), new_epoch);
  EXPECT_NE(lockHolders(), pid);
  // A follower whose session dies reconnects (a fresh session, its settings included) and the
  // leader is untouched.
  LeaderElector* now_leading = theLeader(all);
  ASSERT_NE(now_leading, nullptr);
  LeaderElector* follower = now_leading == all[0].get() ? all[1].get() : all[0].get();
  ASSERT_TRUE(eventually([&] { return follower->sessionBackendPid() != 0; }));
  const int follower_pid = follower->sessionBackendPid();
  EXPECT_EQ(adminOne("SELECT pg_terminate_backend(" + std::to_string(follower_pid) + ")"), "t");
  ASSERT_TRUE(eventually([&] {
    const int pid_now = follower->sessionBackendPid();
    return pid_now != 0 && pid_now != follower_pid;
  }));
  EXPECT_TRUE(now_leading->isLeader());
  EXPECT_EQ(storedEpoch(), new_epoch);
  // Each watcher saw its calls in order, alternating, with growing epochs while leading.
  for (auto& c : calls) {
    int64_t last_gained = 0;
    const auto seen = c.get();
    for (size_t i = 0; i < seen.size(); ++i) {
      if (seen[i].first) {
        EXPECT_GT(seen[i].second, last_gained);
        last_gained = seen[i].second;
      }
      if (i > 0) {
        EXPECT_NE(seen[i].first, seen[i - 1].first) << "call " << i;
      }
    }
  }
}

TEST_F(LeaderElectorTest, FencedWritesWithAnOldEpochChangeNothingFromAnyTransaction) {
  ThrowawayPostgres::instance().execAdmin(
      db_,
      "CREATE TABLE public.probe (id int PRIMARY KEY, v int NOT NULL); "
      "INSERT INTO public.probe VALUES (1, 0); GRANT SELECT, UPDATE ON public.probe TO "
      "jobengine_app");
  auto a = elector("f1");
  a->start();
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  a->stop();
  a->start();  // a second election: epoch 2
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  ASSERT_EQ(storedEpoch(), 2);

  Store store(StoreOptions{app_dsn_, "", 2});
  const std::string update =
      "UPDATE public.probe SET v = v + 1 WHERE id = 1 AND "
      "jobengine.leader_epoch_is_current_v1($1::bigint)";
  for (const char* tenant : {"tenant-a", "system"}) {
    Transaction t = store.begin(tenant);
    EXPECT_EQ(t.exec(update, {"1"}), 0u) << tenant;
    EXPECT_EQ(t.exec(update, {std::nullopt}), 0u) << tenant;
    EXPECT_EQ(t.exec(update, {"3"}), 0u) << tenant;
    EXPECT_EQ(t.exec(update, {"2"}), 1u) << tenant;
    t.commit();
  }
  // A session that never bound a tenant (no jobengine.tenant at all) too.
  pqxx::connection raw(app_dsn_);
  pqxx::work w(raw);
  EXPECT_EQ(w.exec_params(update, 1).affected_rows(), 0);
  EXPECT_EQ(w.exec_params(update, 2).affected_rows(), 1);
  w.commit();
  EXPECT_EQ(adminOne("SELECT v FROM public.probe"), "3");
}

TEST_F(LeaderElectorTest, AnElectionWaitsForAWriterFencedWithTheOldEpoch) {
  ThrowawayPostgres::instance().execAdmin(
      db_,
      "CREATE TABLE public.probe (id int PRIMARY KEY, v int NOT NULL); "
      "INSERT INTO public.probe VALUES (1, 0); GRANT SELECT, UPDATE ON public.probe TO "
      "jobengine_app");
  auto a = elector("w1");
  a->start();
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  int64_t old_epoch = 0;
  a->isLeader(&old_epoch);

  // A deposed leader's write in flight: it passed the fence and has not committed yet.
  pqxx::connection writer(app_dsn_);
  pqxx::work w(writer);
  ASSERT_EQ(w.exec_params("UPDATE public.probe SET v = 10 WHERE id = 1 AND "
                          "jobengine.leader_epoch_is_current_v1($1::bigint)",
                          old_epoch)
                .affected_rows(),
            1);
  a->stop();
  auto b = elector("w2");
  b->start();
  // b takes the lock but cannot advance the epoch while the fenced writer holds the row.
  ASSERT_TRUE(eventually([&] { return !lockHolders().empty(); }));
  std::this_thread::sleep_for(kInterval * 5);
  EXPECT_FALSE(b->isLeader());
  EXPECT_EQ(storedEpoch(), old_epoch);
  w.commit();
  ASSERT_TRUE(eventually([&] { return b->isLeader(); }));
  int64_t new_epoch = 0;
  b->isLeader(&new_epoch);
  EXPECT_EQ(new_epoch, old_epoch + 1);
  EXPECT_EQ(adminOne("SELECT v FROM public.probe"), "10");  // it committed before the new epoch

  // After the new epoch, the same write changes nothing.
  pqxx::work late(writer);
  EXPECT_EQ(late.exec_params("UPDATE public.probe SET v = 20 WHERE id = 1 AND "
                             "jobengine.leader_epoch_is_current_v1($1::bigint)",
                             old_epoch)
                .affected_rows(),
            0);
  late.commit();
  EXPECT_EQ(adminOne("SELECT v FROM public.probe"), "10");
}

TEST_F(LeaderElectorTest, JeLeaderV1IsPrimedThenSeesChangesUntilThePluginStops) {
  auto a = elector("p1");
  a->start();
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  Calls host_calls;
  Calls calls;
  auto b = elector("p2");
  b->watch([&host_calls](bool leader, int64_t epoch) { host_calls.add(leader, epoch); });

  HostServices services;
  services.leader = b.get();
  je_host plugin;
  plugin.plugin_id = "fixture";
  plugin.services = &services;
  const je_leader_v1 vt = makeLeaderService(&plugin);
  ASSERT_EQ(vt.struct_size, sizeof(je_leader_v1));
  char err[256] = {0};

  plugin.phase = PluginPhase::kRunning;  // only create() and start() may watch
  EXPECT_EQ(vt.watch(vt.host, &Calls::cCallback, &calls, err, sizeof err), JE_ERR_STATE);
  EXPECT_NE(std::string(err).find("create() or start()"), std::string::npos) << err;
  plugin.phase = PluginPhase::kStarting;
  EXPECT_EQ(vt.watch(vt.host, nullptr, &calls, err, sizeof err), JE_ERR_INVALID);
  ASSERT_EQ(vt.watch(vt.host, &Calls::cCallback, &calls, err, sizeof err), JE_OK) << err;
  b->start();
  plugin.phase = PluginPhase::kRunning;

  // Primed with the current state: b does not lead.
  ASSERT_TRUE(eventually([&] { return !calls.get().empty(); }));
  EXPECT_EQ(calls.get().front(), std::make_pair(false, int64_t{0}));
  int64_t epoch = 99;
  EXPECT_EQ(vt.is_leader(vt.host, &epoch), 0);
  EXPECT_EQ(epoch, 0);
  EXPECT_EQ(vt.is_leader(vt.host, nullptr), 0);

  a->stop();  // b takes over: the plugin hears (1, 2)
  ASSERT_TRUE(eventually([&] { return calls.get().back() == std::make_pair(true, int64_t{2}); }));
  EXPECT_EQ(vt.is_leader(vt.host, &epoch), 1);
  EXPECT_EQ(epoch, 2);

  // The plugin stops: its watch ends; the host's observer still hears b step down.
  plugin.phase = PluginPhase::kStopping;
  const size_t before = calls.get().size();
  b->stop();
  EXPECT_EQ(host_calls.get().back(), std::make_pair(false, int64_t{2}));
  EXPECT_EQ(calls.get().size(), before);

  // Without an elector the service refuses watches and never leads.
  HostServices none;
  je_host orphan;
  orphan.services = &none;
  orphan.phase = PluginPhase::kCreating;
  const je_leader_v1 orphan_vt = makeLeaderService(&orphan);
  EXPECT_EQ(orphan_vt.watch(orphan_vt.host, &Calls::cCallback, &calls, err, sizeof err),
            JE_ERR_UNSUPPORTED);
  EXPECT_EQ(orphan_vt.is_leader(orphan_vt.host, &epoch), 0);
}

TEST_F(LeaderElectorTest, AnElectorWithoutADatabaseKeepsRetryingAndStopsCleanly) {
  // A DSN nobody listens on: the elector keeps retrying, never leads, and stops cleanly.
  LeaderElectorOptions options;
  options.store = StoreOptions{"host=127.0.0.1 port=1 user=nobody dbname=none", "", 1};
  options.check_interval = kInterval;
  LeaderElector lost(std::move(options), nullptr);
  lost.start();
  std::this_thread::sleep_for(kInterval * 3);
  EXPECT_FALSE(lost.isLeader());
  lost.stop();
  EXPECT_FALSE(lost.status().leader);
}

}  // namespace
