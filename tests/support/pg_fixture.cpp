// ThrowawayPostgres (see pg_fixture.hpp). Database administration goes through libpq directly
// because the support library must not depend on the host's store code it helps to test.
#include "pg_fixture.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace jobengine::testing {

namespace {

std::string withDbname(const std::string& dsn_without_db, const std::string& dbname) {
  return dsn_without_db + " dbname=" + dbname;
}

}  // namespace

ThrowawayPostgres& ThrowawayPostgres::instance() {
  // Function-local static: constructed on first use, destroyed at normal process exit.
  static ThrowawayPostgres pg;
  return pg;
}

ThrowawayPostgres::ThrowawayPostgres() {
  char tmpl[] = "/tmp/je-test-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("ThrowawayPostgres: mkdtemp failed");
  }
  root_dir_ = tmpl;
  pgcluster::Options options;
  options.data_dir = root_dir_ + "/data";
  options.log_file = root_dir_ + "/postgres.log";
  options.fsync = false;
  options.initdb_template = std::string(JE_BINARY_DIR) + "/pg-initdb-template";
  const char* user = std::getenv("JE_TEST_PG_USER");
  options.run_as_user = (user != nullptr && *user != '\0') ? user : "jobengine";
  cluster_ = std::make_unique<pgcluster::PgCluster>(options);
  cluster_->start();
}

ThrowawayPostgres::~ThrowawayPostgres() {
  try {
    cluster_->stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): best effort at process exit
  }
  cluster_.reset();
  const char* keep = std::getenv("JE_TEST_KEEP_PG");
  if (keep == nullptr || *keep == '\0') {
    std::error_code ec;
    std::filesystem::remove_all(root_dir_, ec);
  }
}

std::string ThrowawayPostgres::adminDsn() const { return cluster_->superuserDsn(); }

void ThrowawayPostgres::execAdmin(const std::string& dbname, const std::string& sql) const {
  const std::string dsn = withDbname(
      "host=127.0.0.1 port=" + std::to_string(cluster_->port()) + " user=postgres", dbname);
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("ThrowawayPostgres: cannot connect to " + dbname + ": " + why);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  PGresult* res = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  const std::string why = PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw std::runtime_error("ThrowawayPostgres: " + sql + ": " + why);
  }
}

std::string ThrowawayPostgres::createDatabase(const std::string& name) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  execAdmin("postgres", "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  execAdmin("postgres", "CREATE DATABASE \"" + name + "\"");
  return cluster_->dsn("postgres", name);
}

}  // namespace jobengine::testing
