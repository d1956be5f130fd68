// ReplicatedPostgres (see replicated_postgres.hpp). The two servers are ordinary PgClusters;
// what pgcluster does not do (pg_basebackup, pg_ctl promote) runs here through its os_process
// helpers, as the same unprivileged user.
#include "replicated_postgres.hpp"

#include <libpq-fe.h>  // PQping
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "os_process.hpp"
#include "pg_query.hpp"

namespace jobengine::testing {

namespace {

namespace fs = std::filesystem;
namespace detail = pgcluster::detail;
using Clock = std::chrono::steady_clock;

constexpr const char* kSlot = "je_standby";

std::string serverUser() {
  const char* user = std::getenv("JE_TEST_PG_USER");
  return (user != nullptr && *user != '\0') ? user : "jobengine";
}

detail::RunAs runAs(const std::string& user) {
  detail::RunAs as;
  as.drop = geteuid() == 0;
  if (as.drop) {
    detail::ensureUser(user, as.uid, as.gid);
  }
  return as;
}

pgcluster::Options clusterOptions(const std::string& dir, const std::string& user) {
  pgcluster::Options o;
  o.data_dir = dir;
  o.log_file = dir + ".log";
  o.fsync = false;  // processes are killed, not the machine: the page cache survives
  o.run_as_user = user;
  // A commit is acknowledged only once the standby has flushed it (fsync off overrides
  // synchronous_commit to off: turn it back on).
  o.settings = {"synchronous_commit=on"};
  return o;
}

}  // namespace

ReplicatedPostgres::ReplicatedPostgres() : run_as_user_(serverUser()) {
  char tmpl[] = "/tmp/je-test-repl-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::runtime_error("ReplicatedPostgres: mkdtemp failed");
  }
  root_dir_ = tmpl;
  chmod(root_dir_.c_str(), 0755);  // the server user enters it (it creates nothing here)

  pgcluster::Options primary = clusterOptions(root_dir_ + "/primary", run_as_user_);
  primary.settings.emplace_back("synchronous_standby_names=*");
  primary_ = std::make_unique<pgcluster::PgCluster>(primary);
  primary_->start();
  baseBackup();
  // The standby's own settings: no synchronous_standby_names, so once promoted it commits
  // alone instead of waiting forever for a standby it does not have.
  standby_ =
      std::make_unique<pgcluster::PgCluster>(clusterOptions(root_dir_ + "/standby", run_as_user_));
  standby_->start();
  awaitSynchronousStandby();
}

ReplicatedPostgres::~ReplicatedPostgres() {
  for (auto* cluster : {&standby_, &primary_}) {
    try {
      cluster->reset();  // stops it; a killed primary's failing pg_ctl stop is fine
    } catch (...) {      // NOLINT(bugprone-empty-catch): best effort at the end of a test
    }
  }
  const char* keep = std::getenv("JE_TEST_KEEP_PG");
  if (keep == nullptr || *keep == '\0') {
    std::error_code ec;
    fs::remove_all(root_dir_, ec);
  }
}

int ReplicatedPostgres::runAsServerUser(const std::vector<std::string>& argv,
                                        const std::string& log) const {
  return detail::runProcess(argv, runAs(run_as_user_), root_dir_, log);
}

void ReplicatedPostgres::baseBackup() {
  const std::string dir = root_dir_ + "/standby";
  const detail::RunAs as = runAs(run_as_user_);
  fs::create_directory(dir);
  chmod(dir.c_str(), 0700);
  if (as.drop && chown(dir.c_str(), as.uid, as.gid) != 0) {
    throw std::runtime_error("ReplicatedPostgres: cannot chown " + dir);
  }
  const std::string log = root_dir_ + "/basebackup.log";
  const int rc =
      runAsServerUser({primary_->binDir() + "/pg_basebackup", "-h", "127.0.0.1", "-p",
                       std::to_string(primary_->port()), "-U", "postgres", "-D", dir, "-R", "-X",
                       "stream", "-C", "-S", kSlot, "-c", "fast", "--no-sync"},
                      log);
  if (rc != 0) {
    throw std::runtime_error("ReplicatedPostgres: pg_basebackup failed (exit " +
                             std::to_string(rc) + "): " + detail::fileTail(log, 6));
  }
}

void ReplicatedPostgres::awaitSynchronousStandby() const {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  std::string state;
  while (Clock::now() < deadline) {
    state = pgQueryOne(primary_->port(), "postgres",
                       "SELECT sync_state FROM pg_stat_replication LIMIT 1");
    if (state == "sync") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("ReplicatedPostgres: the standby is not synchronous after 60 s (" +
                           (state.empty() ? std::string("not connected") : state) +
                           "); standby log: " + standby_->logTail(6));
}

std::string ReplicatedPostgres::createDatabase(const std::string& name) const {
  pgQueryOne(primary_->port(), "postgres", "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  pgQueryOne(primary_->port(), "postgres", "CREATE DATABASE \"" + name + "\"");
  return multiHostDsn(name);
}

std::string ReplicatedPostgres::multiHostDsn(const std::string& dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(primary_->port()) +
         ",127.0.0.1:" + std::to_string(standby_->port()) + "/" + dbname +
         "?target_session_attrs=read-write";
}

void ReplicatedPostgres::killPrimary() {
  const pid_t pid = primary_->postmasterPid();
  if (pid <= 0 || kill(pid, SIGKILL) != 0) {
    throw std::runtime_error("ReplicatedPostgres: cannot SIGKILL the primary's postmaster");
  }
  const std::string dsn =
      "host=127.0.0.1 port=" + std::to_string(primary_->port()) + " user=postgres dbname=postgres";
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (PQping(dsn.c_str()) != PQPING_NO_RESPONSE) {
    if (Clock::now() >= deadline) {
      throw std::runtime_error("ReplicatedPostgres: the killed primary still answers after 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ReplicatedPostgres::promoteStandby() {
  const int rc = runAsServerUser(
      {standby_->binDir() + "/pg_ctl", "-D", root_dir_ + "/standby", "-w", "-t", "60", "promote"},
      standby_->logFile());
  if (rc != 0) {
    throw std::runtime_error("ReplicatedPostgres: pg_ctl promote failed (exit " +
                             std::to_string(rc) + "): " + standby_->logTail(6));
  }
}

}  // namespace jobengine::testing
