// ReplicatedPostgres: a PostgreSQL primary and a synchronous streaming standby, two private
// clusters in one temp directory, for the failover system test (issue 13, docs/operations.md
// "High availability"). This is the setup the docs call supported, in miniature:
//
//   primary   initdb, started with synchronous_standby_names='*' and synchronous_commit=on, so a
//             commit is acknowledged only once the standby has it (fsync stays off: the test
//             kills processes, not the machine);
//   standby   pg_basebackup -R -X stream with a replication slot (primary_conninfo written by
//             -R), started on its own port; hot standby, read-only until promoted.
//
// The constructor returns once the primary reports the standby as `sync`. Clients use
// multiHostDsn(), a libpq URI naming both servers with target_session_attrs=read-write, so
// libpq connects to whichever one accepts writes. killPrimary() SIGKILLs the primary's
// postmaster; promoteStandby() runs `pg_ctl promote -w`. As root, every PostgreSQL program
// runs as the unprivileged server user (JE_TEST_PG_USER, default "jobengine"; initdb refuses
// root) through pgcluster. Not thread-safe: one test thread drives it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pg_cluster.hpp"

namespace jobengine::testing {

class ReplicatedPostgres {
 public:
  // Starts both and waits (up to 60 s) until the standby is synchronous; throws
  // std::runtime_error with the server logs' tails otherwise.
  ReplicatedPostgres();
  ~ReplicatedPostgres();  // stops what still runs, removes the directory (JE_TEST_KEEP_PG keeps)
  ReplicatedPostgres(const ReplicatedPostgres&) = delete;
  ReplicatedPostgres& operator=(const ReplicatedPostgres&) = delete;

  // Creates database `name` on the primary (the standby receives it) and returns
  // multiHostDsn(name).
  std::string createDatabase(const std::string& name) const;
  // postgresql://postgres@127.0.0.1:<primary>,127.0.0.1:<standby>/<dbname>
  //   ?target_session_attrs=read-write   (the superuser: engines bootstrap their app role)
  std::string multiHostDsn(const std::string& dbname) const;

  // SIGKILL of the primary's postmaster, then waits until its port refuses connections (its
  // backends exit when they find the postmaster gone). Nothing is shut down cleanly.
  void killPrimary();
  // `pg_ctl promote -w` on the standby: when it returns, the standby accepts writes.
  void promoteStandby();

  pgcluster::PgCluster& primary() { return *primary_; }
  pgcluster::PgCluster& standby() { return *standby_; }
  const std::string& rootDir() const { return root_dir_; }

 private:
  void baseBackup();
  void awaitSynchronousStandby() const;
  int runAsServerUser(const std::vector<std::string>& argv, const std::string& log) const;

  std::string root_dir_;
  std::string run_as_user_;
  std::unique_ptr<pgcluster::PgCluster> primary_;
  std::unique_ptr<pgcluster::PgCluster> standby_;
};

}  // namespace jobengine::testing
