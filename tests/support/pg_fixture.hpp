// ThrowawayPostgres: one private PostgreSQL cluster per test process (DESIGN.md §7).
//
// The cluster lives in a mkdtemp directory with fsync off, starts on first use (so test binaries
// that never touch the database pay nothing), and is stopped and its directory removed when the
// process exits normally. Each test asks for a fresh database of its own with createDatabase(),
// which keeps tests independent without a cluster per test. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "pg_cluster.hpp"

namespace jobengine::testing {

class ThrowawayPostgres {
 public:
  // The process-wide instance; starts the cluster on first call (throws if it cannot).
  static ThrowawayPostgres& instance();

  ThrowawayPostgres(const ThrowawayPostgres&) = delete;
  ThrowawayPostgres& operator=(const ThrowawayPostgres&) = delete;
  ~ThrowawayPostgres();

  // Superuser DSN on the "postgres" database.
  std::string adminDsn() const;
  // Drops `name` if it exists, creates it, and returns a superuser DSN for it.
  std::string createDatabase(const std::string& name) const;
  // Runs SQL as the superuser on `dbname` (simple query protocol); throws with the server's
  // message on failure.
  void execAdmin(const std::string& dbname, const std::string& sql) const;
  int port() const { return cluster_->port(); }
  pgcluster::PgCluster& cluster() { return *cluster_; }
  // The directory that holds data/ and the server log.
  const std::string& rootDir() const { return root_dir_; }

 private:
  ThrowawayPostgres();

  std::string root_dir_;
  std::unique_ptr<pgcluster::PgCluster> cluster_;
  mutable std::mutex mutex_;
};

}  // namespace jobengine::testing
