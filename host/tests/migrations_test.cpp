// Migrator against a real PostgreSQL: numeric order, ledger with sha256, the one-line error for
// an edited file and for a failing file, racing migrators applying once, grants for the app
// role, and the status used by /readyz. Each test uses its own database and migrations root.
#include "store/migrator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <jobengine/canonical_json.hpp>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <thread>

#include "pg_fixture.hpp"
#include "store/database.hpp"

namespace fs = std::filesystem;
using jobengine::host::bootstrapDatabase;
using jobengine::host::MigrationError;
using jobengine::host::Migrator;
using jobengine::host::MigratorOptions;
using jobengine::sdk::sha256Hex;
using jobengine::testing::ThrowawayPostgres;

namespace {

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string db = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dsn_ = ThrowawayPostgres::instance().createDatabase("mig_" + db);
    char tmpl[] = "/tmp/je-migrations-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    bootstrapDatabase(dsn_, "", "jobengine_app");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void write(const std::string& owner, const std::string& name, const std::string& sql) const {
    fs::create_directories(root_ + "/" + owner);
    std::ofstream(root_ + "/" + owner + "/" + name) << sql;
  }
  Migrator migrator() const { return Migrator(MigratorOptions{dsn_, root_, "jobengine_app"}); }
  std::string one(const std::string& sql) const {
    pqxx::connection c(dsn_);
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }
  std::string dsn_;
  std::string root_;
};

TEST_F(MigrationsTest, AppliesFilesInNumericOrderAndRecordsChecksums) {
  write("host", "0001_host_base.sql", "CREATE SCHEMA IF NOT EXISTS jobengine;");
  write("scheduler", "0010_later.sql", "INSERT INTO scheduler.steps VALUES (10);");
  write("scheduler", "0002_second.sql", "INSERT INTO scheduler.steps VALUES (2);");
  write("scheduler", "0001_init.sql",
        "CREATE SCHEMA IF NOT EXISTS scheduler; CREATE TABLE scheduler.steps (n int);");
  write("scheduler", "README.md", "not a migration");
  EXPECT_EQ(migrator().apply({"host", "scheduler"}), 4);
  EXPECT_EQ(one("SELECT string_agg(n::text, ',' ORDER BY ctid) FROM scheduler.steps"), "2,10");
  EXPECT_EQ(one("SELECT string_agg(owner || ':' || version || ':' || name, ',' ORDER BY "
                "applied_at, owner, version) FROM jobengine.schema_migrations"),
            "host:1:0001_host_base.sql,scheduler:1:0001_init.sql,scheduler:2:0002_second.sql,"
            "scheduler:10:0010_later.sql");
  EXPECT_EQ(one("SELECT checksum FROM jobengine.schema_migrations WHERE owner = 'scheduler' "
                "AND version = 2"),
            sha256Hex("INSERT INTO scheduler.steps VALUES (2);"));
  EXPECT_EQ(migrator().apply({"host", "scheduler"}), 0);  // second run: nothing to do
  EXPECT_EQ(migrator().pendingCount({"host", "scheduler"}), 0);
  write("scheduler", "0011_new.sql", "SELECT 1;");
  EXPECT_EQ(migrator().pendingCount({"host", "scheduler"}), 1);
}

TEST_F(MigrationsTest, AChangedFileStopsWithOneLineNamingIt) {
  write("scheduler", "0001_init.sql", "CREATE SCHEMA IF NOT EXISTS scheduler;");
  ASSERT_EQ(migrator().apply({"scheduler"}), 1);
  const std::string recorded = sha256Hex("CREATE SCHEMA IF NOT EXISTS scheduler;");
  write("scheduler", "0001_init.sql", "CREATE SCHEMA IF NOT EXISTS scheduler; -- edited");
  const std::string now = sha256Hex("CREATE SCHEMA IF NOT EXISTS scheduler; -- edited");
  try {
    migrator().apply({"scheduler"});
    FAIL() << "an edited migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_EQ(std::string(e.what()), "migration " + root_ +
                                         "/scheduler/0001_init.sql changed after it was applied "
                                         "(recorded sha256:" +
                                         recorded + ", file sha256:" + now + ")");
  }
  EXPECT_EQ(migrator().pendingCount({"scheduler"}), 1);
}

TEST_F(MigrationsTest, AFailingFileNamesTheFileAndTheSqlErrorAndKeepsEarlierOnes) {
  write("audit", "0001_init.sql",
        "CREATE SCHEMA IF NOT EXISTS audit; CREATE TABLE audit.a (x int);");
  write("audit", "0002_broken.sql", "CREATE TABLE audit.b (x int);\nSELEC oops;");
  try {
    migrator().apply({"audit"});
    FAIL() << "a broken migration was applied";
  } catch (const MigrationError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("migration " + root_ +
                             "/audit/0002_broken.sql failed: SQLSTATE 42601: "
                             "syntax error at or near \"SELEC\"",
                         0),
              0u)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_EQ(one("SELECT count(*) FROM jobengine.schema_migrations WHERE owner = 'audit'"), "1");
  EXPECT_EQ(one("SELECT to_regclass('audit.b')"), "");  // the failing file left nothing behind
  EXPECT_EQ(one("SELECT to_regclass('audit.a')"), "audit.a");
}

TEST_F(MigrationsTest, MisnamedFileIsRefusedBeforeAnythingRuns) {
  write("ratelimit", "1_init.sql", "CREATE SCHEMA ratelimit;");
  write("ratelimit", "init.sql", "CREATE SCHEMA ratelimit;");
  EXPECT_THROW(migrator().apply({"ratelimit"}), MigrationError);
  EXPECT_EQ(one("SELECT to_regclass('jobengine.schema_migrations')"), "");
}

TEST_F(MigrationsTest, RacingMigratorsApplyEachFileOnce) {
  write("scheduler", "0001_init.sql",
        "CREATE SCHEMA IF NOT EXISTS scheduler; CREATE TABLE scheduler.hits (n int);");
  for (int i = 2; i <= 6; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%04d_step.sql", i);
    write("scheduler", name,
          "INSERT INTO scheduler.hits VALUES (" + std::to_string(i) + "); SELECT pg_sleep(0.02);");
  }
  std::vector<int> applied(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    threads.emplace_back([&, i] { applied[i] = migrator().apply({"host", "scheduler"}); });
  }
  for (auto& t : threads) {
    t.join();
  }
  int total = 0;
  for (const int n : applied) {
    total += n;
  }
  EXPECT_EQ(total, 6);
  EXPECT_EQ(one("SELECT count(*) FROM scheduler.hits"), "5");
  EXPECT_EQ(one("SELECT count(*) FROM jobengine.schema_migrations"), "6");
}

TEST_F(MigrationsTest, GrantsTheAppRoleDmlButNotTheLedger) {
  write("host", "0001_host_base.sql", "CREATE SCHEMA IF NOT EXISTS jobengine;");
  write("sources-concelier", "0001_init.sql",
        "CREATE SCHEMA IF NOT EXISTS concelier; CREATE TABLE concelier.feeds (id bigserial);");
  migrator().apply({"host", "sources-concelier"});
  EXPECT_EQ(one("SELECT has_table_privilege('jobengine_app', 'concelier.feeds', 'INSERT')"), "t");
  EXPECT_EQ(one("SELECT has_sequence_privilege('jobengine_app', 'concelier.feeds_id_seq', "
                "'USAGE')"),
            "t");
  EXPECT_EQ(one("SELECT has_table_privilege('jobengine_app', 'jobengine.schema_migrations', "
                "'SELECT')"),
            "t");
  EXPECT_EQ(one("SELECT has_table_privilege('jobengine_app', 'jobengine.schema_migrations', "
                "'INSERT')"),
            "f");
  // Tables a later migration adds are covered by the default privileges.
  write("sources-concelier", "0002_more.sql", "CREATE TABLE concelier.more (x int);");
  migrator().apply({"host", "sources-concelier"});
  EXPECT_EQ(one("SELECT has_table_privilege('jobengine_app', 'concelier.more', 'UPDATE')"), "t");
}

TEST_F(MigrationsTest, TheRealHostMigrationsApply) {
  const Migrator real(
      MigratorOptions{dsn_, std::string(JE_SOURCE_DIR) + "/migrations", "jobengine_app"});
  EXPECT_GE(real.apply({"host"}), 1);
  EXPECT_EQ(real.pendingCount({"host"}), 0);
}

}  // namespace
