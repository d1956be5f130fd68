// Database: from DatabaseConfig to a running, bootstrapped PostgreSQL the store can use.
//
// Embedded mode (database.dsn empty): starts a private cluster in database.embedded_dir with
// the system's binaries (PgCluster; as database.run_as_user when root), creates the database
// `jobengine`, and lets the application connect as the app role directly (trust auth on
// 127.0.0.1). External mode: database.dsn names a role that owns the schemas; the app role is
// created if missing, granted to that role, and every pool connection runs `SET ROLE <app>`.
// Either way the app role is LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE, so
// row-level security always applies to the engine's own queries.
//
// Start-up order for the engine:
//   Database db(cfg.database);                      // cluster + database + role
//   db.migrator(root).apply({"host"});              // host schema first
//   auto store = db.openStore();                    // pool as the app role
//   ... load and create plugins ...
//   db.migrator(root).apply({"host", <plugin ids>}); // then every plugin's folder
#pragma once

#include <memory>
#include <string>

#include "config/host_config.hpp"
#include "pg_cluster.hpp"
#include "store/migrator.hpp"
#include "store/store.hpp"

namespace jobengine::host {

// Idempotently creates database `database` (when non-empty; through an admin DSN on another
// database such as "postgres") and the app role with the attributes above; in external mode
// also grants the role to the connecting user so SET ROLE works. Throws std::runtime_error
// with one line.
void bootstrapDatabase(const std::string& admin_dsn, const std::string& database,
                       const std::string& app_role);

class Database {
 public:
  // Starts (embedded) or reaches (external) the database and bootstraps it. Throws
  // std::runtime_error with one line on failure.
  explicit Database(const DatabaseConfig& config);
  ~Database();  // stops the embedded cluster
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  bool embedded() const { return cluster_ != nullptr; }
  // DSN of the role that owns the schemas (migrations run there). Contains the password of an
  // external DSN: never log it.
  const std::string& adminDsn() const { return admin_dsn_; }
  // Pool settings for the application role.
  StoreOptions storeOptions() const;
  std::unique_ptr<Store> openStore() const;
  Migrator migrator(const std::string& migrations_root) const;
  // The embedded cluster, or nullptr in external mode.
  pgcluster::PgCluster* cluster() { return cluster_.get(); }

 private:
  DatabaseConfig config_;
  std::unique_ptr<pgcluster::PgCluster> cluster_;
  std::string admin_dsn_;
};

}  // namespace jobengine::host
