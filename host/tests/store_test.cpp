// Store and je.store v1 against a real PostgreSQL: row-level security through the app role,
// rollback, on-commit callbacks, SQLSTATE mapping through the C vtable, NULL parameters,
// prepared-statement reuse, pool blocking and reconnect, the pool's metrics, and Database in both
// modes.
#include "store/store.hpp"

#include <jobengine/plugin.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "metrics/metrics_registry.hpp"
#include "metrics/pool_metrics.hpp"
#include "pg_fixture.hpp"
#include "prometheus_text.hpp"
#include "store/database.hpp"
#include "store/store_service.hpp"

namespace fs = std::filesystem;
using namespace jobengine::host;  // NOLINT(google-build-using-namespace): test brevity
using jobengine::testing::ThrowawayPostgres;

namespace {

constexpr const char* kTenantTable = R"sql(
CREATE SCHEMA IF NOT EXISTS tenanttest;
CREATE TABLE tenanttest.items (
  tenant_id text NOT NULL, id text NOT NULL, note text, PRIMARY KEY (tenant_id, id));
ALTER TABLE tenanttest.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenanttest.items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenanttest.items
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');
)sql";

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& pg = ThrowawayPostgres::instance();
    db_ = "store_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    admin_dsn_ = pg.createDatabase(db_);
    char tmpl[] = "/tmp/je-store-mig-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/tenanttest");
    std::ofstream(root_ + "/tenanttest/0001_items.sql") << kTenantTable;
    bootstrapDatabase(admin_dsn_, "", "jobengine_app");
    Migrator(MigratorOptions{admin_dsn_, root_, "jobengine_app"}).apply({"host", "tenanttest"});
    store_ = std::make_unique<Store>(
        StoreOptions{pg.cluster().dsn("jobengine_app", db_), "", pool_size_});
    services_.store = store_.get();
    host_.plugin_id = "test";
    host_.services = &services_;
    vt_ = makeStoreService(&host_);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string adminOne(const std::string& sql) const {
    pqxx::connection c(admin_dsn_);
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }
  std::vector<std::string> ids(std::string_view tenant) {
    std::vector<std::string> out;
    Transaction t = store_->begin(tenant, true);
    t.exec("SELECT * FROM tenanttest.items ORDER BY tenant_id, id", {}, [&](const pqxx::row& r) {
      out.push_back(r[0].as<std::string>() + "/" + r[1].as<std::string>());
      return true;
    });
    t.commit();
    return out;
  }
  // exec through the C vtable; returns the status, err text in err_.
  je_status cexec(je_txn* txn, const std::string& sql, const std::vector<je_param>& params,
                  uint64_t* affected = nullptr, je_row_callback cb = nullptr,
                  void* user = nullptr) {
    err_[0] = '\0';
    return vt_.exec(vt_.host, txn, sql.data(), sql.size(), params.data(),
                    static_cast<uint32_t>(params.size()), cb, user, affected, err_, sizeof(err_));
  }
  je_txn* cbegin(const std::string& tenant, uint32_t flags = 0) {
    je_txn* txn = nullptr;
    EXPECT_EQ(vt_.begin(vt_.host, tenant.data(), tenant.size(), flags, &txn, err_, sizeof(err_)),
              JE_OK)
        << err_;
    return txn;
  }
  static je_param text(const char* s) { return je_param{s, std::strlen(s), 0, 0}; }

  std::size_t pool_size_ = 4;
  std::string db_;
  std::string admin_dsn_;
  std::string root_;
  std::unique_ptr<Store> store_;
  HostServices services_;
  je_host host_;
  je_store_v1 vt_{};
  char err_[256] = {0};
};

void seed(Store& store) {
  Transaction t = store.begin("system");
  for (const char* row : {"a:1", "a:2", "b:1"}) {
    const std::string r(row);
    t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ($1, $2)",
           {r.substr(0, 1), r.substr(2)});
  }
  t.commit();
}

TEST_F(StoreTest, RowLevelSecurityShowsOnlyTheBoundTenant) {
  seed(*store_);
  EXPECT_EQ(ids("a"), (std::vector<std::string>{"a/1", "a/2"}));
  EXPECT_EQ(ids("b"), (std::vector<std::string>{"b/1"}));
  EXPECT_EQ(ids("system"), (std::vector<std::string>{"a/1", "a/2", "b/1"}));
  EXPECT_TRUE(ids("c").empty());
  // Writing another tenant's row from tenant a is refused by WITH CHECK.
  Transaction t = store_->begin("a");
  try {
    t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ('b', '9')");
    FAIL() << "tenant a wrote a row of tenant b";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.status(), JE_ERR_DB);
    EXPECT_EQ(std::string(e.what()).rfind("SQLSTATE 42501: new row violates row-level security", 0),
              0u)
        << e.what();
  }
  t.rollback();
  // Updating across tenants silently touches nothing.
  Transaction u = store_->begin("a");
  EXPECT_EQ(u.exec("UPDATE tenanttest.items SET note = 'x' WHERE tenant_id = 'b'"), 0u);
  u.commit();
}

TEST_F(StoreTest, UnboundConnectionsSeeNothing) {
  seed(*store_);
  pqxx::connection c(ThrowawayPostgres::instance().cluster().dsn("jobengine_app", db_));
  pqxx::nontransaction n(c);
  EXPECT_EQ(n.exec("SELECT count(*) FROM tenanttest.items")[0][0].as<int>(), 0);
}

TEST_F(StoreTest, TheAppRoleCannotBypassRowLevelSecurity) {
  Transaction t = store_->begin("system", true);
  std::string user;
  std::string bypass;
  std::string super;
  t.exec(
      "SELECT current_user, rolbypassrls::text, rolsuper::text FROM pg_roles "
      "WHERE rolname = current_user",
      {}, [&](const pqxx::row& r) {
        user = r[0].c_str();
        bypass = r[1].c_str();
        super = r[2].c_str();
        return true;
      });
  t.commit();
  EXPECT_EQ(user, "jobengine_app");
  EXPECT_EQ(bypass, "false");
  EXPECT_EQ(super, "false");
  EXPECT_NE(adminOne("SELECT tableowner FROM pg_tables WHERE tablename = 'items'"),
            "jobengine_app");
  EXPECT_EQ(adminOne("SELECT relforcerowsecurity::text FROM pg_class WHERE relname = 'items'"),
            "true");
}

TEST_F(StoreTest, RollbackLeavesNothingAndOnCommitRunsOnlyOnCommit) {
  int ran = 0;
  {
    Transaction t = store_->begin("a");
    t.onCommit([&] { ++ran; });
    t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ('a', 'r')");
    t.rollback();
  }
  {
    Transaction t = store_->begin("a");
    t.onCommit([&] { ++ran; });
    t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ('a', 'd')");
  }  // destroyed without commit: rolled back
  EXPECT_EQ(ran, 0);
  EXPECT_TRUE(ids("a").empty());
  Transaction t = store_->begin("a");
  t.onCommit([&] {
    ++ran;
    EXPECT_EQ(ids("a"), (std::vector<std::string>{"a/c"}));  // may use the store again
  });
  t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ('a', 'c')");
  EXPECT_EQ(ran, 0);
  t.commit();
  EXPECT_EQ(ran, 1);
}

// ABI 1.9 on_end: once per transaction, however it ends; after the on-commit callbacks.
TEST_F(StoreTest, OnEndRunsOnceWithHowTheTransactionEnded) {
  std::vector<std::string> heard;
  {
    Transaction t = store_->begin("a");
    t.onEnd([&](bool committed) { heard.push_back(committed ? "end:committed" : "end:rolled"); });
    t.rollback();
    t.rollback();  // a second rollback does not end it twice
  }
  {
    Transaction t = store_->begin("a");
    t.onEnd([&](bool committed) { heard.push_back(committed ? "end:committed" : "end:dropped"); });
  }  // destroyed without commit
  {
    Transaction t = store_->begin("a");
    t.onEnd([&](bool committed) { heard.push_back(committed ? "end:committed" : "end:failed"); });
    EXPECT_THROW(t.exec("SELECT * FROM no_such_table"), StoreError);
    EXPECT_THROW(t.commit(), StoreError);  // aborted: only rollback is allowed
  }
  Transaction t = store_->begin("a");
  t.onCommit([&] { heard.emplace_back("commit"); });
  t.onEnd([&](bool committed) { heard.push_back(committed ? "end:committed" : "end:lost"); });
  t.exec("INSERT INTO tenanttest.items (tenant_id, id) VALUES ('a', 'e')");
  t.commit();
  EXPECT_EQ(heard, (std::vector<std::string>{"end:rolled", "end:dropped", "end:failed", "commit",
                                             "end:committed"}));
}

// The SDK's Txn::onCommit goes through on_end: a rolled-back transaction frees the function and
// what it captured (on_commit alone leaked it), a committed one runs it once.
TEST_F(StoreTest, SdkOnCommitFreesItsFunctionOnRollback) {
  auto captured = std::make_shared<int>(0);
  {
    je_txn* txn = cbegin("a");
    ASSERT_NE(txn, nullptr);
    jobengine::sdk::Txn t(&vt_, txn, true);
    t.onCommit([captured] { ++*captured; });
    EXPECT_EQ(captured.use_count(), 2);
  }  // rolled back
  EXPECT_EQ(captured.use_count(), 1);
  EXPECT_EQ(*captured, 0);
  je_txn* txn = cbegin("a");
  ASSERT_NE(txn, nullptr);
  jobengine::sdk::Txn t(&vt_, txn, true);
  t.onCommit([captured] { ++*captured; });
  t.commit();
  EXPECT_EQ(*captured, 1);
  EXPECT_EQ(captured.use_count(), 1);
}

TEST_F(StoreTest, VtableMapsUniqueViolationToConflictAndAbortsTheTxn) {
  je_txn* txn = cbegin("a");
  ASSERT_NE(txn, nullptr);
  const std::vector<je_param> p{text("a"), text("1")};
  const std::string ins = "INSERT INTO tenanttest.items (tenant_id, id) VALUES ($1, $2)";
  uint64_t affected = 0;
  ASSERT_EQ(cexec(txn, ins, p, &affected), JE_OK) << err_;
  EXPECT_EQ(affected, 1u);
  EXPECT_EQ(cexec(txn, ins, p), JE_ERR_CONFLICT);
  EXPECT_EQ(std::string(err_).rfind("SQLSTATE 23505: duplicate key value", 0), 0u) << err_;
  EXPECT_EQ(cexec(txn, "SELECT 1", {}), JE_ERR_STATE);  // aborted: only rollback now
  vt_.rollback(vt_.host, txn);
  // Commit of an aborted txn reports and still frees it.
  je_txn* again = cbegin("a");
  EXPECT_EQ(cexec(again, "SELECT nonsense_column FROM tenanttest.items", {}), JE_ERR_DB);
  EXPECT_EQ(std::string(err_).rfind("SQLSTATE 42703: column \"nonsense_column\"", 0), 0u) << err_;
  EXPECT_EQ(vt_.commit(vt_.host, again, err_, sizeof(err_)), JE_ERR_STATE);
  EXPECT_TRUE(ids("a").empty());
}

TEST_F(StoreTest, VtableNullParamsRowsTenantAndOnCommit) {
  je_txn* txn = cbegin("a");
  const je_str tenant = vt_.tenant(vt_.host, txn);
  EXPECT_EQ(std::string(tenant.data, tenant.len), "a");
  const std::vector<je_param> p{text("a"), text("n"), je_param{nullptr, 0, 1, 0}};
  ASSERT_EQ(cexec(txn, "INSERT INTO tenanttest.items VALUES ($1, $2, $3)", p), JE_OK) << err_;
  struct Seen {
    std::string id;
    int32_t note_null = -1;
    std::string col;
    int rows = 0;
  } seen;
  auto cb = [](void* user, const je_row* row) -> je_status {
    auto* s = static_cast<Seen*>(user);
    je_str v{};
    int32_t null = 0;
    row->get(row, 1, &v, &null);
    s->id.assign(v.data, v.len);
    row->get(row, 2, &v, &s->note_null);
    row->name(row, 2, &v);
    s->col.assign(v.data, v.len);
    EXPECT_EQ(row->get(row, 3, &v, &null), JE_ERR_INVALID);
    ++s->rows;
    return JE_OK;
  };
  const std::vector<je_param> q{je_param{nullptr, 0, 1, 0}};
  uint64_t affected = 0;
  ASSERT_EQ(
      cexec(txn, "SELECT * FROM tenanttest.items WHERE $1::text IS NULL", q, &affected, cb, &seen),
      JE_OK)
      << err_;
  EXPECT_EQ(seen.rows, 1);
  EXPECT_EQ(affected, 1u);
  EXPECT_EQ(seen.id, "n");
  EXPECT_EQ(seen.note_null, 1);
  EXPECT_EQ(seen.col, "note");
  int committed = 0;
  ASSERT_EQ(
      vt_.on_commit(
          vt_.host, txn, [](void* u) { ++*static_cast<int*>(u); }, &committed, err_, sizeof(err_)),
      JE_OK);
  ASSERT_EQ(vt_.commit(vt_.host, txn, err_, sizeof(err_)), JE_OK) << err_;
  EXPECT_EQ(committed, 1);
}

TEST_F(StoreTest, VtableValidatesTenantsAndTruncatesErrors) {
  je_txn* txn = nullptr;
  char small[8];
  EXPECT_EQ(vt_.begin(vt_.host, "", 0, 0, &txn, small, sizeof(small)), JE_ERR_INVALID);
  EXPECT_EQ(std::string(small), "tenant ");  // 7 bytes + NUL
  const std::string too_long(129, 't');
  EXPECT_EQ(vt_.begin(vt_.host, too_long.data(), too_long.size(), 0, &txn, err_, sizeof(err_)),
            JE_ERR_INVALID);
  const std::string longest(128, 't');
  txn = cbegin(longest);
  vt_.rollback(vt_.host, txn);
  // Read-only transactions refuse writes.
  txn = cbegin("a", JE_TXN_READ_ONLY);
  EXPECT_EQ(cexec(txn, "INSERT INTO tenanttest.items VALUES ('a', 'x', NULL)", {}), JE_ERR_DB);
  EXPECT_EQ(std::string(err_).rfind("SQLSTATE 25006:", 0), 0u) << err_;
  vt_.rollback(vt_.host, txn);
  // Without a store every call says so.
  HostServices none;
  je_host bare;
  bare.services = &none;
  const je_store_v1 nodb = makeStoreService(&bare);
  EXPECT_EQ(nodb.begin(&bare, "a", 1, 0, &txn, err_, sizeof(err_)), JE_ERR_STATE);
  EXPECT_EQ(std::string(err_), "no database in this mode");
}

TEST_F(StoreTest, PreparedStatementsAreReusedAcrossManyCalls) {
  const std::string sql = "INSERT INTO tenanttest.items (tenant_id, id, note) VALUES ($1, $2, $3)";
  for (int batch = 0; batch < 20; ++batch) {
    Transaction t = store_->begin("a");
    for (int i = 0; i < 100; ++i) {
      const std::string id = std::to_string(batch * 100 + i);
      t.exec(sql, {"a", id, i % 2 == 0 ? std::nullopt : std::optional<std::string>(id)});
    }
    t.commit();
  }
  Transaction t = store_->begin("a", true);
  const pqxx::result r =
      t.query("SELECT count(*) FILTER (WHERE note IS NULL), count(*) FROM tenanttest.items");
  EXPECT_EQ(r[0][0].as<int>(), 1000);
  EXPECT_EQ(r[0][1].as<int>(), 2000);
  // This session prepared each distinct statement once, not once per call.
  const pqxx::result p =
      t.query("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", {sql});
  EXPECT_EQ(p[0][0].as<int>(), 1);
  t.commit();
}

TEST_F(StoreTest, PoolBlocksWhenExhaustedAndReconnectsAfterTermination) {
  std::vector<Transaction> held;
  for (std::size_t i = 0; i < pool_size_; ++i) {
    held.push_back(store_->begin("a"));
  }
  std::atomic<bool> released{false};
  std::atomic<bool> got_one_early{false};
  std::thread waiter([&] {
    Transaction t = store_->begin("a");
    got_one_early = !released.load();
    t.commit();
  });
  released = true;
  held.back().commit();
  waiter.join();
  EXPECT_FALSE(got_one_early.load());
  held.clear();
  // Kill every app connection; the store opens fresh ones transparently at begin().
  adminOne(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE usename = 'jobengine_app'");
  for (std::size_t i = 0; i < pool_size_ + 1; ++i) {
    EXPECT_EQ(ids("a").size(), 0u);
  }
  EXPECT_TRUE(store_->ping());
}

// The pool's metrics (docs/metrics.md, jobengine_db_pool_*): the counts follow every acquire and
// release, and every acquire observes its wait (one that had to wait for a release included).
TEST_F(StoreTest, PoolMetricsFollowLeasesAndWaits) {
  MetricsRegistry metrics;
  store_->pool().setObserver(makePoolMetricsObserver(metrics, store_->pool().capacity()));
  const auto value = [&](const std::string& series) {
    return jobengine::testing::metricValue(metrics.serialize(), series);
  };
  EXPECT_EQ(value("jobengine_db_pool_max_connections"), static_cast<double>(pool_size_));
  std::vector<Transaction> held;
  for (std::size_t i = 0; i < pool_size_; ++i) {
    held.push_back(store_->begin("a"));
  }
  EXPECT_EQ(value(R"(jobengine_db_pool_connections{state="in_use"})"),
            static_cast<double>(pool_size_));
  EXPECT_EQ(value(R"(jobengine_db_pool_connections{state="idle"})"), 0);
  std::thread waiter([&] { store_->begin("a").commit(); });  // blocks until one is released
  held.back().commit();
  held.pop_back();
  waiter.join();
  held.clear();
  EXPECT_EQ(value(R"(jobengine_db_pool_connections{state="in_use"})"), 0);
  EXPECT_EQ(value(R"(jobengine_db_pool_connections{state="idle"})"),
            static_cast<double>(pool_size_));
  EXPECT_EQ(value("jobengine_db_pool_wait_seconds_count"), static_cast<double>(pool_size_ + 1));
  store_->pool().setObserver({});  // metrics goes out of scope before the store
}

// A session the server ends under a statement (pg_terminate_backend, a fast shutdown) is a lost
// connection to the caller: libpq reads the server's FATAL 57P01 as the statement's error, or
// only sees the socket close (08006). Either way JE_ERR_RETRY (503 on the API), never a plain
// database error (500). Idle, the next transaction gets a fresh connection.
TEST_F(StoreTest, ASessionTerminatedUnderAStatementMapsToRetry) {
  for (const bool busy : {true, false}) {
    Transaction t = store_->begin("a");
    const std::string pid = t.query("SELECT pg_backend_pid()::text")[0][0].c_str();
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      adminOne("SELECT pg_terminate_backend(" + pid + ")");
    });
    if (!busy) {
      killer.join();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the FATAL is on the wire
    }
    try {
      t.query(busy ? "SELECT pg_sleep(30)" : "SELECT 1");
      ADD_FAILURE() << "a statement on a terminated session succeeded";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.status(), JE_ERR_RETRY) << e.sqlstate() << " " << e.what();
      EXPECT_TRUE(e.sqlstate() == "57P01" || e.sqlstate() == "08006") << e.sqlstate();
    }
    if (killer.joinable()) {
      killer.join();
    }
    t.rollback();
    EXPECT_EQ(ids("a").size(), 0u);
  }
}

TEST_F(StoreTest, DeadlockMapsToRetry) {
  seed(*store_);
  const std::string upd =
      "UPDATE tenanttest.items SET note = 'x' WHERE tenant_id = 'a' AND id = $1";
  Transaction t1 = store_->begin("a");
  Transaction t2 = store_->begin("a");
  t1.exec(upd, {"1"});
  t2.exec(upd, {"2"});
  std::vector<je_status> outcomes(2, JE_OK);
  std::vector<std::string> states(2);
  auto run = [&](Transaction& t, const char* id, std::size_t slot) {
    try {
      t.exec(upd, {id});
      t.commit();
    } catch (const StoreError& e) {
      outcomes[slot] = e.status();
      states[slot] = e.sqlstate();
      t.rollback();
    }
  };
  std::thread first([&] { run(t1, "2", 0); });  // waits for t2's lock
  run(t2, "1", 1);                              // closes the cycle: one of them is chosen
  first.join();
  EXPECT_EQ((outcomes[0] == JE_ERR_RETRY ? 1 : 0) + (outcomes[1] == JE_ERR_RETRY ? 1 : 0), 1);
  EXPECT_TRUE(states[0] == "40P01" || states[1] == "40P01");
}

TEST_F(StoreTest, DatabaseExternalModeSetsTheAppRole) {
  DatabaseConfig cfg;
  cfg.dsn = admin_dsn_;
  cfg.pool_size = 2;
  Database database(cfg);
  EXPECT_FALSE(database.embedded());
  auto store = database.openStore();
  Transaction t = store->begin("a", true);
  EXPECT_EQ(t.query("SELECT current_user")[0][0].as<std::string>(), "jobengine_app");
  EXPECT_EQ(t.query("SELECT count(*) FROM tenanttest.items")[0][0].as<int>(), 0);
  t.commit();
}

TEST_F(StoreTest, DatabaseEmbeddedModeStartsBootstrapsAndMigrates) {
  DatabaseConfig cfg;
  cfg.embedded_dir = root_ + "/embedded/postgres";
  cfg.fsync = false;
  cfg.pool_size = 2;
  Database database(cfg);
  ASSERT_TRUE(database.embedded());
  database.migrator(std::string(JE_SOURCE_DIR) + "/migrations").apply({"host"});
  auto store = database.openStore();
  Transaction t = store->begin("system", true);
  EXPECT_EQ(t.query("SELECT current_user || '@' || current_database()")[0][0].as<std::string>(),
            "jobengine_app@jobengine");
  EXPECT_GE(t.query("SELECT count(*) FROM jobengine.schema_migrations")[0][0].as<int>(), 1);
  t.commit();
  EXPECT_EQ(database.migrator(std::string(JE_SOURCE_DIR) + "/migrations").pendingCount({"host"}),
            0);
}

}  // namespace
