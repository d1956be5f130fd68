// je.events 1.5 read_after against a real PostgreSQL: the cursor read inside a caller's store
// transaction. Events of every tenant (a "system" txn) or of the txn's tenant, seq > after_seq,
// ascending, at most limit, with the envelopes GET /events carries; bounded by the event
// horizon, so an event of a transaction still open when a later one committed is never skipped
// by a cursor; the planner settings it needs are put back; bad arguments are refused.
// Events are written the way je.events.append writes them (OutboxWriter, as the superuser).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/host_handle.hpp"
#include "events/events_service.hpp"
#include "outbox_writer.hpp"
#include "pg_fixture.hpp"
#include "store/database.hpp"
#include "store/migrator.hpp"
#include "store/store.hpp"
#include "store/store_service.hpp"

using namespace jobengine::host;  // NOLINT(google-build-using-namespace): test brevity
using jobengine::testing::OutboxRow;
using jobengine::testing::OutboxWriter;
using jobengine::testing::ThrowawayPostgres;

namespace {

struct Read {
  std::vector<int64_t> seqs;
  std::vector<nlohmann::json> envelopes;
  static void callback(void* user, int64_t seq, const char* json, uint64_t len) {
    auto* self = static_cast<Read*>(user);
    self->seqs.push_back(seq);
    self->envelopes.push_back(nlohmann::json::parse(std::string(json, len)));
  }
};

class EventsReadAfterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& pg = ThrowawayPostgres::instance();
    const std::string db =
        "readafter_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    admin_dsn_ = pg.createDatabase(db);
    bootstrapDatabase(admin_dsn_, "", "jobengine_app");
    Migrator(
        MigratorOptions{admin_dsn_, std::string(JE_SOURCE_DIR) + "/migrations", "jobengine_app"})
        .apply({"host"});
    store_ = std::make_unique<Store>(StoreOptions{pg.cluster().dsn("jobengine_app", db), "", 2});
    services_.store = store_.get();
    plugin_.plugin_id = "audit-like";
    plugin_.services = &services_;
    events_ = makeEventsService(&plugin_);
  }
  uint64_t append(OutboxWriter& w, const std::string& tenant, const std::string& type) {
    OutboxRow row;
    row.tenant = tenant;
    row.type = type;
    return w.append(row);
  }
  // read_after in a fresh transaction bound to tenant; returns the status, err text in err_.
  je_status read(const std::string& tenant, int64_t after, uint32_t limit, Read& out,
                 uint32_t* count = nullptr) {
    je_txn* txn = adoptTransaction(store_->begin(tenant), true);
    const je_status st = events_.read_after(&plugin_, txn, after, limit, &Read::callback, &out,
                                            count, err_, sizeof err_);
    releaseTxn(txn);
    return st;
  }

  std::string admin_dsn_;
  std::unique_ptr<Store> store_;
  HostServices services_;
  je_host plugin_;
  je_events_v1 events_{};
  char err_[256] = {0};
};

TEST_F(EventsReadAfterTest, ReadsEveryTenantAscendingAfterTheCursorUpToTheLimit) {
  ASSERT_GE(events_.struct_size, offsetof(je_events_v1, read_after) + sizeof(events_.read_after));
  OutboxWriter w(admin_dsn_);
  const uint64_t a1 = append(w, "a", "job.created");
  const uint64_t b1 = append(w, "b", "source.paused");
  const uint64_t a2 = append(w, "a", "job.canceled");
  Read first;
  uint32_t count = 0;
  ASSERT_EQ(read("system", 0, 2, first, &count), JE_OK) << err_;
  EXPECT_EQ(count, 2U);
  EXPECT_EQ(first.seqs, (std::vector<int64_t>{static_cast<int64_t>(a1), static_cast<int64_t>(b1)}));
  // The envelope the streams carry.
  EXPECT_EQ(first.envelopes[0]["schemaVersion"], "orch.event.v1");
  EXPECT_EQ(first.envelopes[0]["seq"], a1);
  EXPECT_EQ(first.envelopes[0]["tenantId"], "a");
  EXPECT_EQ(first.envelopes[1]["eventType"], "source.paused");
  Read rest;
  ASSERT_EQ(read("system", static_cast<int64_t>(b1), 100, rest, &count), JE_OK) << err_;
  EXPECT_EQ(count, 1U);  // fewer than the limit: caught up
  EXPECT_EQ(rest.seqs, std::vector<int64_t>{static_cast<int64_t>(a2)});
  // A transaction bound to a tenant sees only that tenant's events (row-level security).
  Read only_b;
  ASSERT_EQ(read("b", 0, 100, only_b), JE_OK) << err_;
  EXPECT_EQ(only_b.seqs, std::vector<int64_t>{static_cast<int64_t>(b1)});
}

TEST_F(EventsReadAfterTest, AnOpenTransactionHoldsLaterEventsBackSoTheCursorSkipsNothing) {
  OutboxWriter w(admin_dsn_);
  const uint64_t before = append(w, "a", "job.created");
  OutboxWriter slow(admin_dsn_);
  slow.begin();
  OutboxRow late_row;
  late_row.tenant = "a";
  const uint64_t late = slow.add(late_row);  // smaller seq, commits last
  const uint64_t after = append(w, "a", "job.created");
  ASSERT_LT(late, after);
  Read held;
  ASSERT_EQ(read("system", static_cast<int64_t>(before), 100, held), JE_OK) << err_;
  EXPECT_TRUE(held.seqs.empty()) << "read past an open transaction";
  slow.commit();
  Read released;
  ASSERT_EQ(read("system", static_cast<int64_t>(before), 100, released), JE_OK) << err_;
  EXPECT_EQ(released.seqs,
            (std::vector<int64_t>{static_cast<int64_t>(late), static_cast<int64_t>(after)}));
}

TEST_F(EventsReadAfterTest, ReadsInsideTheCallersTransactionAndPutsThePlannerSettingsBack) {
  OutboxWriter w(admin_dsn_);
  append(w, "a", "job.created");
  Transaction txn = store_->begin("system");
  txn.exec("CREATE TEMP TABLE cursor_probe (seq bigint) ON COMMIT DROP");
  je_txn* raw = adoptTransaction(std::move(txn), false);
  Read r;
  ASSERT_EQ(
      events_.read_after(&plugin_, raw, 0, 10, &Read::callback, &r, nullptr, err_, sizeof err_),
      JE_OK)
      << err_;
  ASSERT_EQ(r.seqs.size(), 1U);
  Transaction* t = transactionOf(raw);
  t->exec("INSERT INTO cursor_probe VALUES ($1)", {std::to_string(r.seqs[0])});
  // The caller's transaction goes on: its own writes and the settings it had.
  EXPECT_EQ(t->query("SELECT count(*) FROM cursor_probe")[0][0].as<int>(), 1);
  EXPECT_EQ(t->query("SELECT current_setting('enable_sort')")[0][0].as<std::string>(), "on");
  EXPECT_EQ(t->query("SELECT current_setting('enable_bitmapscan')")[0][0].as<std::string>(), "on");
  t->commit();
  releaseTxn(raw);
}

TEST_F(EventsReadAfterTest, RefusesBadArgumentsNamingThem) {
  Read r;
  EXPECT_EQ(read("system", -1, 10, r), JE_ERR_INVALID);
  EXPECT_STREQ(err_, "read_after: after_seq must be >= 0 (0: from the first event), got -1");
  EXPECT_EQ(read("system", 0, 0, r), JE_ERR_INVALID);
  EXPECT_STREQ(err_, "read_after: limit must be in 1..10000, got 0");
  EXPECT_EQ(read("system", 0, 10001, r), JE_ERR_INVALID);
  EXPECT_EQ(
      events_.read_after(&plugin_, nullptr, 0, 10, &Read::callback, &r, nullptr, err_, sizeof err_),
      JE_ERR_INVALID);
  EXPECT_STREQ(err_, "read_after: txn and cb are required");
}

}  // namespace
