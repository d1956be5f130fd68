// OutboxFeeder and plugin event subscriptions (je.events subscribe) against a real PostgreSQL:
// callbacks see every committed event of every tenant once, in seq order, starting after
// after_seq (or only new ones with -1); the feeder survives its connections being killed and
// continues without a gap; a subscription ends when its plugin stops; the hub's backlog reader
// is tenant-bound; wake-up signals (je.events signal/watch, ABI 1.1) raised through a real
// EventNotifier reach the watchers of their name, and only those. Events are written the way
// je.events.append writes them (OutboxWriter).
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/host_handle.hpp"
#include "events/event_notifier.hpp"
#include "events/events_service.hpp"
#include "events/signal_watchers.hpp"
#include "metrics/metrics_registry.hpp"
#include "outbox_writer.hpp"
#include "pg_fixture.hpp"
#include "store/database.hpp"
#include "stream/event_subscriptions.hpp"
#include "stream/outbox_feeder.hpp"
#include "stream/outbox_reader.hpp"
#include "stream/stream_hub.hpp"

using namespace jobengine::host;  // NOLINT(google-build-using-namespace): test brevity
using jobengine::testing::OutboxRow;
using jobengine::testing::OutboxWriter;
using jobengine::testing::ThrowawayPostgres;

namespace {

// Collects callback deliveries; waits are bounded failure timeouts only.
struct Collector {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<uint64_t> seqs;
  static void callback(void* user, int64_t seq, const char* /*json*/, uint64_t /*len*/) {
    auto* self = static_cast<Collector*>(user);
    const std::lock_guard<std::mutex> lock(self->mutex);
    self->seqs.push_back(static_cast<uint64_t>(seq));
    self->cv.notify_all();
  }
  std::vector<uint64_t> waitFor(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return seqs.size() >= n; });
    return seqs;
  }
};

class OutboxFeederTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& pg = ThrowawayPostgres::instance();
    db_ = "feeder_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    admin_dsn_ = pg.createDatabase(db_);
    bootstrapDatabase(admin_dsn_, "", "jobengine_app");
    Migrator(
        MigratorOptions{admin_dsn_, std::string(JE_SOURCE_DIR) + "/migrations", "jobengine_app"})
        .apply({"host"});
    app_dsn_ = pg.cluster().dsn("jobengine_app", db_);
    store_ = std::make_unique<Store>(StoreOptions{app_dsn_, "", 2});
    services_.event_subscriptions = &subs_;
    services_.signal_watchers = &signals_;
    plugin_.plugin_id = "audit-like";
    plugin_.services = &services_;
    hub_ = std::make_unique<StreamHub>(makeBacklogReader(*store_), StreamHubOptions{});
  }
  std::unique_ptr<OutboxFeeder> makeFeeder() {
    OutboxFeederOptions options;
    options.dsn = app_dsn_;
    options.reconnect_ms = 50;
    return std::make_unique<OutboxFeeder>(options, *hub_, &subs_, &signals_, &metrics_);
  }
  uint64_t append(OutboxWriter& w, const std::string& tenant) {
    OutboxRow row;
    row.tenant = tenant;
    return w.append(row);
  }
  je_status subscribe(int64_t after, Collector& c) {
    char err[256] = {0};
    plugin_.phase = PluginPhase::kCreating;
    const je_status s = subscribeEvents(&plugin_, after, &Collector::callback, &c, err, sizeof err);
    plugin_.phase = PluginPhase::kRunning;
    return s;
  }

  std::string db_, admin_dsn_, app_dsn_;
  std::unique_ptr<Store> store_;
  MetricsRegistry metrics_;
  EventSubscriptions subs_;
  SignalWatchers signals_;
  HostServices services_;
  je_host plugin_;
  std::unique_ptr<StreamHub> hub_;
};

TEST_F(OutboxFeederTest, PluginSubscribersGetEveryTenantOnceInOrderFromAfterSeq) {
  OutboxWriter w(admin_dsn_);
  const uint64_t before = append(w, "a");
  const uint64_t old_b = append(w, "b");
  Collector from_start;
  Collector only_new;
  ASSERT_EQ(subscribe(static_cast<int64_t>(before), from_start), JE_OK);
  ASSERT_EQ(subscribe(-1, only_new), JE_OK);
  auto feeder = makeFeeder();
  feeder->start();
  std::vector<uint64_t> fresh{append(w, "a"), append(w, "c"), append(w, "b")};
  std::vector<uint64_t> expected{old_b};
  expected.insert(expected.end(), fresh.begin(), fresh.end());
  EXPECT_EQ(from_start.waitFor(4), expected);
  EXPECT_EQ(only_new.waitFor(3), fresh);
  feeder->stop();
}

TEST_F(OutboxFeederTest, SubscribeOutsideCreateOrStartIsRefused) {
  Collector c;
  char err[256] = {0};
  plugin_.phase = PluginPhase::kRunning;
  EXPECT_EQ(subscribeEvents(&plugin_, -1, &Collector::callback, &c, err, sizeof err), JE_ERR_STATE);
  EXPECT_NE(std::string(err).find("create() or start()"), std::string::npos);
}

TEST_F(OutboxFeederTest, SurvivesKilledConnectionsWithoutAGap) {
  OutboxWriter w(admin_dsn_);
  Collector c;
  ASSERT_EQ(subscribe(-1, c), JE_OK);
  auto feeder = makeFeeder();
  feeder->start();
  std::vector<uint64_t> expected{append(w, "a")};
  c.waitFor(1);
  w.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = "
      "'jobengine_app' AND datname = current_database()");
  for (int i = 0; i < 3; ++i) {  // committed while the feeder is disconnected
    expected.push_back(append(w, "a"));
  }
  EXPECT_EQ(c.waitFor(4), expected);
  feeder->stop();
}

TEST_F(OutboxFeederTest, SubscriptionEndsWhenThePluginStops) {
  OutboxWriter w(admin_dsn_);
  Collector c;
  ASSERT_EQ(subscribe(-1, c), JE_OK);
  auto feeder = makeFeeder();
  feeder->start();
  const uint64_t first = append(w, "a");
  EXPECT_EQ(c.waitFor(1), std::vector<uint64_t>{first});
  plugin_.phase = PluginPhase::kStopped;
  // The feeder's cursor tells when it has passed the next event (bounded failure timeout).
  const uint64_t second = append(w, "a");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (feeder->cursor() < second && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(feeder->cursor(), second);
  EXPECT_EQ(subs_.size(), 0U);
  EXPECT_EQ(c.waitFor(1), std::vector<uint64_t>{first});
  feeder->stop();
}

TEST_F(OutboxFeederTest, BacklogReaderIsBoundToTheTenant) {
  OutboxWriter w(admin_dsn_);
  const uint64_t a1 = append(w, "a");
  append(w, "b");
  const uint64_t a2 = append(w, "a");
  const auto rows = makeBacklogReader(*store_)("a", 0, 100);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].seq, a1);
  EXPECT_EQ(rows[1].seq, a2);
  EXPECT_EQ(makeBacklogReader(*store_)("a", a1, 100).size(), 1U);
}

// Counts signal callbacks; waits are bounded failure timeouts only.
struct SignalCounter {
  std::mutex mutex;
  std::condition_variable cv;
  int calls = 0;
  static void callback(void* user) {
    auto* self = static_cast<SignalCounter*>(user);
    const std::lock_guard<std::mutex> lock(self->mutex);
    ++self->calls;
    self->cv.notify_all();
  }
  int waitFor(int n) {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return calls >= n; });
    return calls;
  }
  int now() {
    const std::lock_guard<std::mutex> lock(mutex);
    return calls;
  }
};

TEST_F(OutboxFeederTest, SignalsReachTheWatchersOfTheirNameThroughTheDatabase) {
  EventNotifier notifier(EventNotifierOptions{app_dsn_, "", std::chrono::microseconds(1000),
                                              std::chrono::milliseconds(50)});
  notifier.start();
  services_.notifier = &notifier;
  const je_events_v1 events = makeEventsService(&plugin_);
  SignalCounter jobs;
  SignalCounter other;
  char err[256] = {0};
  plugin_.phase = PluginPhase::kStarting;
  ASSERT_EQ(
      events.watch(&plugin_, "jobs.ready", 10, &SignalCounter::callback, &jobs, err, sizeof err),
      JE_OK)
      << err;
  ASSERT_EQ(events.watch(&plugin_, "other", 5, &SignalCounter::callback, &other, err, sizeof err),
            JE_OK)
      << err;
  plugin_.phase = PluginPhase::kRunning;
  auto feeder = makeFeeder();
  feeder->start();

  ASSERT_EQ(events.signal(&plugin_, "jobs.ready", 10, err, sizeof err), JE_OK) << err;
  EXPECT_EQ(jobs.waitFor(1), 1);
  // A later notification without that name (an ordinary event commit) calls nobody; the
  // notifier's count tells when it went out, the feeder's cursor when it was read.
  OutboxWriter w(admin_dsn_);
  const uint64_t seq = append(w, "a");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (feeder->cursor() < seq && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(feeder->cursor(), seq);
  EXPECT_EQ(jobs.now(), 1);
  EXPECT_EQ(other.now(), 0);

  // After the plugin stops its watches end.
  plugin_.phase = PluginPhase::kStopped;
  ASSERT_EQ(events.signal(&plugin_, "other", 5, err, sizeof err), JE_OK);
  EXPECT_EQ(signals_.dispatch("other"), 0U);
  EXPECT_EQ(other.now(), 0);
  feeder->stop();
  notifier.stop();
}

TEST_F(OutboxFeederTest, SignalAndWatchRefuseBadNamesAndWatchOutsideStart) {
  const je_events_v1 events = makeEventsService(&plugin_);
  SignalCounter c;
  char err[256] = {0};
  EXPECT_EQ(events.signal(&plugin_, "Bad,Name", 8, err, sizeof err), JE_ERR_INVALID);
  EXPECT_STREQ(err, "je.events.signal: signal name 'Bad,Name' may only hold [a-z0-9._-]");
  EXPECT_EQ(events.signal(&plugin_, "", 0, err, sizeof err), JE_ERR_INVALID);
  EXPECT_STREQ(err, "je.events.signal: signal name must be 1..63 bytes, got 0");
  EXPECT_EQ(events.signal(&plugin_, "fine", 4, err, sizeof err), JE_OK);  // no notifier: no-op
  plugin_.phase = PluginPhase::kRunning;
  EXPECT_EQ(events.watch(&plugin_, "fine", 4, &SignalCounter::callback, &c, err, sizeof err),
            JE_ERR_STATE);
  EXPECT_STREQ(err, "je.events.watch: allowed only inside create() or start()");
  EXPECT_EQ(signals_.size(), 0U);
}

TEST(SignalWatchersTest, APayloadDispatchesEachNameOnce) {
  SignalWatchers watchers;
  je_host plugin;
  plugin.phase = PluginPhase::kRunning;
  SignalCounter a;
  SignalCounter b;
  watchers.add(&plugin, "a", &SignalCounter::callback, &a);
  watchers.add(&plugin, "b.c", &SignalCounter::callback, &b);
  watchers.dispatchPayload("b.c,a,zzz");
  watchers.dispatchPayload("");
  EXPECT_EQ(a.now(), 1);
  EXPECT_EQ(b.now(), 1);
  EXPECT_EQ(joinSignalNames({"a", "b"}), "a,b");
}

}  // namespace
