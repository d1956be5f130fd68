// Database and bootstrapDatabase (see database.hpp).
#include "store/database.hpp"

#include <pqxx/pqxx>

#include "store/store_error.hpp"

namespace jobengine::host {

namespace {

constexpr const char* kEmbeddedDatabase = "jobengine";
constexpr const char* kRoleAttributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE";

std::runtime_error bootstrapError(const std::string& what, const pqxx::sql_error& e) {
  return std::runtime_error("database bootstrap: " + what + ": " + classify(e).what());
}

void ensureRole(pqxx::connection& c, const std::string& role) {
  const std::string quoted = c.quote_name(role);
  {
    pqxx::nontransaction n(c, "role");
    const pqxx::result r =
        n.exec_params("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", role);
    if (r.empty()) {
      try {
        n.exec("CREATE ROLE " + quoted + " " + kRoleAttributes);
      } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() != "42710") {  // created concurrently by another replica: fine
          throw bootstrapError("cannot create role " + role, e);
        }
      }
    } else if (r[0][0].as<bool>() || r[0][1].as<bool>()) {
      try {
        n.exec("ALTER ROLE " + quoted + " " + kRoleAttributes);
      } catch (const pqxx::sql_error& e) {
        throw bootstrapError("role " + role +
                                 " is SUPERUSER or BYPASSRLS (row-level security would not "
                                 "apply) and cannot be altered",
                             e);
      }
    }
  }
  pqxx::nontransaction n(c, "membership");
  const pqxx::result who = n.exec_params(
      "SELECT rolsuper, pg_has_role(current_user, $1, 'MEMBER') FROM pg_roles "
      "WHERE rolname = current_user",
      role);
  if (!who.empty() && !who[0][0].as<bool>() && !who[0][1].as<bool>()) {
    try {
      n.exec("GRANT " + quoted + " TO CURRENT_USER");
    } catch (const pqxx::sql_error& e) {
      throw bootstrapError("cannot grant role " + role +
                               " to the connecting user (needed for "
                               "SET ROLE)",
                           e);
    }
  }
}

}  // namespace

void bootstrapDatabase(const std::string& admin_dsn, const std::string& database,
                       const std::string& app_role) {
  try {
    pqxx::connection c(admin_dsn);
    if (!database.empty()) {
      pqxx::nontransaction n(c, "database");
      if (n.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty()) {
        try {
          n.exec("CREATE DATABASE " + c.quote_name(database));
        } catch (const pqxx::sql_error& e) {
          if (e.sqlstate() != "42P04") {  // created concurrently: fine
            throw bootstrapError("cannot create database " + database, e);
          }
        }
      }
    }
    ensureRole(c, app_role);
  } catch (const pqxx::broken_connection& e) {
    throw std::runtime_error("database bootstrap: cannot connect: " + primaryMessage(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw bootstrapError("query failed", e);
  }
}

Database::Database(const DatabaseConfig& config) : config_(config) {
  if (config_.app_role.empty()) {
    throw std::runtime_error("database.app_role must not be empty");
  }
  if (!config_.dsn.empty()) {
    admin_dsn_ = config_.dsn;
    bootstrapDatabase(admin_dsn_, "", config_.app_role);
    return;
  }
  pgcluster::Options options;
  options.data_dir = config_.embedded_dir;
  options.port = config_.embedded_port;
  options.pg_bin_dir = config_.pg_bin_dir;
  options.run_as_user = config_.run_as_user;
  options.fsync = config_.fsync;
  cluster_ = std::make_unique<pgcluster::PgCluster>(options);
  cluster_->start();
  bootstrapDatabase(cluster_->superuserDsn(), kEmbeddedDatabase, config_.app_role);
  admin_dsn_ = cluster_->dsn("postgres", kEmbeddedDatabase);
}

Database::~Database() = default;

StoreOptions Database::storeOptions() const {
  StoreOptions options;
  options.pool_size = config_.pool_size > 0 ? static_cast<std::size_t>(config_.pool_size) : 1;
  if (cluster_ != nullptr) {
    options.dsn = cluster_->dsn(config_.app_role, kEmbeddedDatabase);
  } else {
    options.dsn = config_.dsn;
    options.set_role = config_.app_role;
  }
  return options;
}

std::unique_ptr<Store> Database::openStore() const {
  return std::make_unique<Store>(storeOptions());
}

Migrator Database::migrator(const std::string& migrations_root) const {
  return Migrator(MigratorOptions{admin_dsn_, migrations_root, config_.app_role});
}

}  // namespace jobengine::host
